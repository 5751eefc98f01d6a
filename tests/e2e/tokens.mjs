// Token fixtures for end-to-end stories, made without the app: files go to
// the local storage service over its nft.storage API, and tokens are minted
// by calling Minty from anvil's unlocked dev account over JSON-RPC.
import assert from 'node:assert/strict'
import { DEV_ACCOUNTS, STORAGE_TOKEN } from './harness.mjs'
import { rpc, tokenURI as readTokenURI } from './chain.mjs'

export { catPng, wav } from './media.mjs'

// Where `minty-devstack up --fresh` deploys Minty: anvil's first contract
// from its first dev account.
export const MINTY = '0x5FbDB2315678afecb367f032d93F642f64180aa3'
const MINT_TOKEN_SELECTOR = '3d02d0c9' // mintToken(address,string)
// keccak256("Transfer(address,address,uint256)")
const TRANSFER_TOPIC = '0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef'

/// Uploads files as nft.storage's client does: multipart `file` parts,
/// which the service wraps in one directory. Returns the directory's CID.
export async function upload (stack, files) {
  const form = new FormData()
  for (const { name, bytes, type } of files) {
    form.append('file', new Blob([bytes], { type }), name)
  }
  const response = await fetch(`${stack.storageUrl}/upload`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${STORAGE_TOKEN}` },
    body: form
  })
  const answer = await response.json()
  assert.ok(answer.ok, `upload failed: ${JSON.stringify(answer)}`)
  return answer.value.cid
}

// ABI encoding, enough for mintToken(address,string).
const word = (value) => BigInt(value).toString(16).padStart(64, '0')
function encodeString (text) {
  const bytes = Buffer.from(text, 'utf8')
  const padded = Buffer.alloc(Math.ceil(bytes.length / 32) * 32)
  bytes.copy(padded)
  return word(bytes.length) + padded.toString('hex')
}
/// Mints a token whose metadata is at `metadataPath` ("<cid>/metadata.json",
/// without ipfs://, as Minty stores it); returns its id as a string.
export async function mintToken (stack, metadataPath, owner = DEV_ACCOUNTS[0]) {
  const data = '0x' + MINT_TOKEN_SELECTOR + word(owner) + word(64) + encodeString(metadataPath)
  const hash = await rpc(stack.rpcUrl, 'eth_sendTransaction', [{ from: DEV_ACCOUNTS[0], to: MINTY, data }])
  let receipt = null
  for (let tries = 0; !receipt && tries < 50; tries++) {
    receipt = await rpc(stack.rpcUrl, 'eth_getTransactionReceipt', [hash])
    if (!receipt) await new Promise((resolve) => setTimeout(resolve, 100))
  }
  assert.equal(receipt?.status, '0x1', `mintToken failed: ${JSON.stringify(receipt)}`)
  const transfer = receipt.logs.find((log) =>
    log.address.toLowerCase() === MINTY.toLowerCase() && log.topics[0] === TRANSFER_TOPIC)
  return BigInt(transfer.topics[3]).toString()
}

export function tokenURI (stack, id) {
  return readTokenURI(stack.rpcUrl, MINTY, id)
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

