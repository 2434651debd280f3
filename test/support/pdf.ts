import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs'

/** The text of each page, as a reader's copy-paste would give it (lines joined by spaces). */
export async function pdfPages(bytes: Buffer): Promise<string[]> {
  const document = await getDocument({ data: new Uint8Array(bytes), useSystemFonts: false }).promise
  const pages: string[] = []
  for (let n = 1; n <= document.numPages; n++) {
    const content = await (await document.getPage(n)).getTextContent()
    pages.push(content.items.map((item) => ('str' in item ? item.str : '')).join(' ').replace(/\s+/g, ' '))
  }
  await document.destroy()
  return pages
}

/** The text of every page of a PDF, as one string. */
export async function pdfText(bytes: Buffer): Promise<string> {
  return (await pdfPages(bytes)).join(' ').replace(/\s+/g, ' ')
}

/** The raster images a PDF's pages paint, as RGBA pixels (what a scanner of the printed page sees, before print). */
export async function pdfImages(bytes: Buffer): Promise<{ page: number; width: number; height: number; rgba: Uint8ClampedArray }[]> {
  const { OPS } = await import('pdfjs-dist/legacy/build/pdf.mjs')
  const document = await getDocument({ data: new Uint8Array(bytes), useSystemFonts: false, isOffscreenCanvasSupported: false }).promise
  const images: { page: number; width: number; height: number; rgba: Uint8ClampedArray }[] = []
  for (let n = 1; n <= document.numPages; n++) {
    const page = await document.getPage(n)
    const operators = await page.getOperatorList()
    for (let i = 0; i < operators.fnArray.length; i++) {
      if (operators.fnArray[i] !== OPS.paintImageXObject) continue
      const [name] = operators.argsArray[i] as [string]
      const image = await new Promise<{ width: number; height: number; data: Uint8Array }>((resolve) => {
        page.objs.get(name, resolve)
      })
      const pixels = image.width * image.height
      const channels = image.data.length / pixels
      const rgba = new Uint8ClampedArray(pixels * 4)
      for (let p = 0; p < pixels; p++) {
        for (let c = 0; c < 3; c++) rgba[p * 4 + c] = channels === 1 ? image.data[p]! : image.data[p * channels + c]!
        rgba[p * 4 + 3] = 255
      }
      images.push({ page: n, width: image.width, height: image.height, rgba })
    }
  }
  await document.destroy()
  return images
}
