// A DAG bomb, as anyone can mint one: one dag-pb file node whose links all
// point at the same raw leaf. Two blocks and about 1.2 MiB of CAR that a
// naive reader expands to gigabytes. Built with the IPLD libraries that
// ipfs-car itself uses, so the blocks are exactly what a hostile minter's
// tooling would write.
import * as dagPb from '@ipld/dag-pb'
import { CarWriter } from '@ipld/car'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import { UnixFS } from 'ipfs-unixfs'
import assert from 'node:assert/strict'
import { STORAGE_TOKEN } from './harness.mjs'

const MIB = 1 << 20

/// A CAR of one file node with `links` links to one leaf of `leafBytes`
/// bytes. `honest` declares the size the links really add up to (links ×
/// leaf); otherwise each part claims one byte, so the node declares
/// `links` bytes while its parts hold far more. The default stays under
/// 2 GiB declared: ipfs-unixfs 11.2.5 writes a filesize of 2^31 or more as
/// a broken varint, which readers rightly refuse as malformed, and then the
/// story would not test the size budget at all.
export async function dagBomb ({ links = 2000, leafBytes = MIB, honest = true } = {}) {
  const leafBytesOf = new Uint8Array(leafBytes).fill(7)
  const leaf = CID.create(1, raw.code, await sha256.digest(leafBytesOf))
  const file = new UnixFS({ type: 'file' })
  for (let i = 0; i < links; i++) file.addBlockSize(BigInt(honest ? leafBytes : 1))
  const node = dagPb.encode(dagPb.prepare({
    Data: file.marshal(),
    Links: Array.from({ length: links }, () => ({ Hash: leaf, Name: '', Tsize: leafBytes }))
  }))
  const root = CID.create(1, dagPb.code, await sha256.digest(node))
  const { writer, out } = CarWriter.create([root])
  const collected = (async () => {
    const chunks = []
    for await (const chunk of out) chunks.push(chunk)
    return Buffer.concat(chunks)
  })()
  await writer.put({ cid: root, bytes: node })
  await writer.put({ cid: leaf, bytes: leafBytesOf })
  await writer.close()
  return { root: root.toString(), leaf: leaf.toString(), car: await collected }
}

/// Stores `car` through the local service's nft.storage API, as a minter
/// with the service's token can; returns the root CID it answered.
export async function uploadCar (stack, car) {
  const response = await fetch(`${stack.storageUrl}/upload`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${STORAGE_TOKEN}`, 'Content-Type': 'application/car' },
    body: car
  })
  const answer = await response.json()
  assert.ok(answer.ok, `upload failed: ${JSON.stringify(answer)}`)
  return answer.value.cid
}
