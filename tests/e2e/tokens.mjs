// Token fixtures for end-to-end stories, made without the app: files go to
// the local storage service over its nft.storage API, and tokens are minted
// by calling Minty from anvil's unlocked dev account over JSON-RPC.
import assert from 'node:assert/strict'
import { deflateSync, crc32 } from 'node:zlib'
import { DEV_ACCOUNTS } from './harness.mjs'

// Where `minty-devstack up --fresh` deploys Minty: anvil's first contract
// from its first dev account.
export const MINTY = '0x5FbDB2315678afecb367f032d93F642f64180aa3'
const SELECTORS = {
  mintToken: '3d02d0c9', // mintToken(address,string)
  tokenURI: 'c87b56dd' // tokenURI(uint256)
}
// keccak256("Transfer(address,address,uint256)")
const TRANSFER_TOPIC = '0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef'

let nextId = 1
export async function rpc (stack, method, params) {
  const response = await fetch(stack.rpcUrl, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: nextId++, method, params })
  })
  const answer = await response.json()
  if (answer.error) throw new Error(`${method}: ${JSON.stringify(answer.error)}`)
  return answer.result
}

/// Uploads files as nft.storage's client does: multipart `file` parts,
/// which the service wraps in one directory. Returns the directory's CID.
export async function upload (stack, files) {
  const form = new FormData()
  for (const { name, bytes, type } of files) {
    form.append('file', new Blob([bytes], { type }), name)
  }
  const response = await fetch(`${stack.storageUrl}/upload`, {
    method: 'POST',
    headers: { Authorization: 'Bearer test-token' },
    body: form
  })
  const answer = await response.json()
  assert.ok(answer.ok, `upload failed: ${JSON.stringify(answer)}`)
  return answer.value.cid
}

// ABI encoding, enough for mintToken(address,string) and tokenURI(uint256).
const word = (value) => BigInt(value).toString(16).padStart(64, '0')
function encodeString (text) {
  const bytes = Buffer.from(text, 'utf8')
  const padded = Buffer.alloc(Math.ceil(bytes.length / 32) * 32)
  bytes.copy(padded)
  return word(bytes.length) + padded.toString('hex')
}
function decodeString (hex) {
  const data = Buffer.from(hex.replace(/^0x/, ''), 'hex')
  const offset = Number(BigInt('0x' + data.subarray(0, 32).toString('hex')))
  const length = Number(BigInt('0x' + data.subarray(offset, offset + 32).toString('hex')))
  return data.subarray(offset + 32, offset + 32 + length).toString('utf8')
}

/// Mints a token whose metadata is at `metadataPath` ("<cid>/metadata.json",
/// without ipfs://, as Minty stores it); returns its id as a string.
export async function mintToken (stack, metadataPath, owner = DEV_ACCOUNTS[0]) {
  const data = '0x' + SELECTORS.mintToken + word(owner) + word(64) + encodeString(metadataPath)
  const hash = await rpc(stack, 'eth_sendTransaction', [{ from: DEV_ACCOUNTS[0], to: MINTY, data }])
  let receipt = null
  for (let tries = 0; !receipt && tries < 50; tries++) {
    receipt = await rpc(stack, 'eth_getTransactionReceipt', [hash])
    if (!receipt) await new Promise((resolve) => setTimeout(resolve, 100))
  }
  assert.equal(receipt?.status, '0x1', `mintToken failed: ${JSON.stringify(receipt)}`)
  const transfer = receipt.logs.find((log) =>
    log.address.toLowerCase() === MINTY.toLowerCase() && log.topics[0] === TRANSFER_TOPIC)
  return BigInt(transfer.topics[3]).toString()
}

export async function tokenURI (stack, id) {
  const result = await rpc(stack, 'eth_call', [{ to: MINTY, data: '0x' + SELECTORS.tokenURI + word(id) }, 'latest'])
  return decodeString(result)
}

/// Uploads `asset` (if any), then metadata made from its ipfs:// URI, and
/// mints. `metadata` is an object, a function of the asset URI, or raw text.
export async function mintWith (stack, { asset, metadata }) {
  let assetCid = null
  let assetUri = null
  if (asset) {
    assetCid = await upload(stack, [asset])
    assetUri = `ipfs://${assetCid}/${asset.name}`
  }
  const document = typeof metadata === 'function' ? metadata(assetUri) : metadata
  const json = typeof document === 'string' ? document : JSON.stringify(document, null, 2)
  const metadataCid = await upload(stack, [{ name: 'metadata.json', bytes: Buffer.from(json), type: 'application/json' }])
  const id = await mintToken(stack, `${metadataCid}/metadata.json`)
  return { id, assetCid, assetUri, metadataCid }
}

/// A valid RGB PNG of `width`×`height`, coloured by `pixel(x, y) → [r, g, b]`.
export function png (width, height, pixel) {
  const rows = Buffer.alloc((width * 3 + 1) * height)
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1) // each row starts with filter type 0
    for (let x = 0; x < width; x++) rows.set(pixel(x, y), row + 1 + x * 3)
  }
  const chunk = (type, data) => {
    const length = Buffer.alloc(4)
    length.writeUInt32BE(data.length)
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data])
    const crc = Buffer.alloc(4)
    crc.writeUInt32BE(crc32(body))
    return Buffer.concat([length, body, crc])
  }
  const header = Buffer.alloc(13)
  header.writeUInt32BE(width, 0)
  header.writeUInt32BE(height, 4)
  header.set([8, 2, 0, 0, 0], 8) // 8-bit depth, truecolour, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0))
  ])
}

/// A mint-green disc on a teal gradient: recognisable in screenshots.
export function catPng () {
  const size = 160
  return png(size, size, (x, y) => {
    const dx = x - size / 2
    const dy = y - size / 2
    if (dx * dx + dy * dy < (size * 0.32) ** 2) return [167, 243, 208]
    return [15 + Math.round(x / 4), 118 - Math.round(y / 6), 110 + Math.round(y / 3)]
  })
}

/// A valid 16-bit mono PCM WAV: `seconds` of a 440 Hz tone.
export function wav (seconds = 0.5, rate = 8000) {
  const samples = Math.round(seconds * rate)
  const data = Buffer.alloc(samples * 2)
  for (let i = 0; i < samples; i++) {
    data.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / rate)), i * 2)
  }
  const header = Buffer.alloc(44)
  header.write('RIFF', 0, 'ascii')
  header.writeUInt32LE(36 + data.length, 4)
  header.write('WAVE', 8, 'ascii')
  header.write('fmt ', 12, 'ascii')
  header.writeUInt32LE(16, 16) // fmt chunk size
  header.writeUInt16LE(1, 20) // PCM
  header.writeUInt16LE(1, 22) // mono
  header.writeUInt32LE(rate, 24)
  header.writeUInt32LE(rate * 2, 28) // byte rate
  header.writeUInt16LE(2, 32) // block align
  header.writeUInt16LE(16, 34) // bits per sample
  header.write('data', 36, 'ascii')
  header.writeUInt32LE(data.length, 40)
  return Buffer.concat([header, data])
}
