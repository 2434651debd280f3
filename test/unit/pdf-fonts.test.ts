import { renderPdf } from '../../src/documents/pdf.ts'
import { pdfText } from '../support/pdf.ts'

// Fonts are parsed once per thread and shared by later documents (documents/pdf.ts): each
// document must still embed its own subset with every glyph it uses, whatever came before.
describe('documents drawn one after another share the parsed fonts', () => {
  it('embeds in each document the glyphs it uses, in both faces', async () => {
    const texts = ['Квитанция на оплату за ноябрь 2026', 'Справка об отсутствии задолженности № 17', 'ЁЖИК в тумане: щёлк, ъ, ы, э — 1 234,56 ₽']
    const documents: Buffer[] = []
    for (const [i, text] of texts.entries()) {
      documents.push(await renderPdf({ title: `Документ ${i}` }, (doc) => {
        doc.text(text)
        doc.font('bold').text(`Итого ${i}`)
      }))
    }
    for (const [i, bytes] of documents.entries()) {
      const text = await pdfText(bytes)
      expect(text).toContain(texts[i])
      expect(text).toContain(`Итого ${i}`)
      // Only the glyphs this document uses: the third text's letters are not in the first document.
      if (i === 0) expect(bytes.includes(Buffer.from('Helvetica'))).toBe(false)
    }
  })
})
