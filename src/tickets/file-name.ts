/**
 * A file name as people gave it, made safe to keep and to send back: no directories (either
 * slash), no control or bidirectional-override characters, no quotes, not empty, not hidden,
 * at most 120 characters; the extension follows the detected type, not the given name.
 */
// eslint-disable-next-line no-control-regex -- control characters are what it removes
const CONTROL_OR_RESERVED = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069"*:<>?|]/g

export function safeFileName(given: string | undefined, ext: string): string {
  const base = (given ?? '').split(/[\\/]/).pop() ?? ''
  const cleaned = base
    .normalize('NFC')
    // Control characters, bidirectional overrides, and what file systems or headers refuse.
    .replace(CONTROL_OR_RESERVED, '')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^\.+/, '')
  // Dots and spaces the extension's removal uncovers at the front would make a hidden name again.
  const stem = cleaned.replace(/\.[^.]*$/, '').slice(0, 110).trim().replace(/^[.\s]+/, '') || 'file'
  return `${stem}.${ext}`
}

/** `Content-Disposition: attachment` with an ASCII fallback and the UTF-8 name (RFC 6266, RFC 8187). */
export function attachmentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\;]/g, '_')
  const encoded = encodeURIComponent(fileName).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`
}
