import { fileTypeFromFile } from 'file-type'
import { open, type FileHandle } from 'node:fs/promises'

/** What a support attachment may be: PDF, Word (.doc, .docx), JPEG, PNG. */
export interface AllowedType {
  ext: 'pdf' | 'doc' | 'docx' | 'jpg' | 'png'
  mime: string
}

async function readAt(file: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length)
  const { bytesRead } = await file.read(buffer, 0, length, position)
  return buffer.subarray(0, bytesRead)
}

/** A ZIP (from its central directory) that holds word/document.xml: a Word 2007+ document. */
export async function isWordZip(path: string): Promise<boolean> {
  const file = await open(path, 'r')
  try {
    const { size } = await file.stat()
    const tail = await readAt(file, Math.max(0, size - 65_557), Math.min(size, 65_557))
    const end = tail.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]))
    if (end < 0 || end + 22 > tail.length) return false
    const entries = tail.readUInt16LE(end + 10)
    const directorySize = tail.readUInt32LE(end + 12)
    const directoryOffset = tail.readUInt32LE(end + 16)
    if (directoryOffset + directorySize > size || directorySize > 16 * 1024 * 1024) return false
    const directory = await readAt(file, directoryOffset, directorySize)
    for (let at = 0, i = 0; i < entries && at + 46 <= directory.length; i++) {
      if (directory.readUInt32LE(at) !== 0x02014b50) return false
      const nameLength = directory.readUInt16LE(at + 28)
      const extraLength = directory.readUInt16LE(at + 30)
      const commentLength = directory.readUInt16LE(at + 32)
      if (directory.subarray(at + 46, at + 46 + nameLength).toString('utf8') === 'word/document.xml') return true
      at += 46 + nameLength + extraLength + commentLength
    }
    return false
  } finally {
    await file.close()
  }
}

/**
 * An OLE compound file (CFB) whose directory has a "WordDocument" stream: a Word 97-2003
 * document (an .xls or .msi is a compound file too, and is not one). Follows the directory's
 * sector chain through the FAT, as far as the header's own FAT sectors reach.
 */
export async function isWordCompoundFile(path: string): Promise<boolean> {
  const file = await open(path, 'r')
  try {
    const header = await readAt(file, 0, 512)
    if (header.length < 512 || header.readUInt32LE(0) !== 0xe011cfd0 || header.readUInt32LE(4) !== 0xe11ab1a1) return false
    const sectorSize = 1 << header.readUInt16LE(30)
    if (sectorSize !== 512 && sectorSize !== 4096) return false
    const sectorAt = (sector: number) => 512 + sector * sectorSize
    const fatSectors: number[] = []
    for (let i = 0; i < 109; i++) {
      const sector = header.readUInt32LE(76 + i * 4)
      if (sector >= 0xfffffffa) break
      fatSectors.push(sector)
    }
    const perSector = sectorSize / 4
    const fatEntry = async (sector: number) => {
      const fatSector = fatSectors[Math.floor(sector / perSector)]
      if (fatSector === undefined) return 0xfffffffe
      return (await readAt(file, sectorAt(fatSector) + (sector % perSector) * 4, 4)).readUInt32LE(0)
    }
    const word = Buffer.from('WordDocument', 'utf16le')
    let sector = header.readUInt32LE(48)
    for (let hops = 0; sector < 0xfffffffa && hops < 4096; hops++) {
      const directory = await readAt(file, sectorAt(sector), sectorSize)
      for (let at = 0; at + 128 <= directory.length; at += 128) {
        const nameBytes = directory.readUInt16LE(at + 64)
        if (nameBytes === word.length + 2 && directory.subarray(at, at + word.length).equals(word)) return true
      }
      sector = await fatEntry(sector)
    }
    return false
  } finally {
    await file.close()
  }
}

/** The type of a file from its bytes, or null when it is not one support takes. */
export async function allowedTypeOf(path: string): Promise<AllowedType | null> {
  const detected = await fileTypeFromFile(path)
  if (!detected) return null
  if (detected.ext === 'pdf') return { ext: 'pdf', mime: 'application/pdf' }
  if (detected.ext === 'jpg') return { ext: 'jpg', mime: 'image/jpeg' }
  if (detected.ext === 'png') return { ext: 'png', mime: 'image/png' }
  if (detected.ext === 'docx') {
    return (await isWordZip(path)) ? { ext: 'docx', mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document' } : null
  }
  if (detected.ext === 'cfb' || detected.ext === 'doc') return (await isWordCompoundFile(path)) ? { ext: 'doc', mime: 'application/msword' } : null
  return null
}
