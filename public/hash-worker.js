// One worker of the packer's hashing pool (src/blob_pack/hash_pool.rs).
// It streams its own regions of the picked file and hashes each leaf as it
// fills, so several regions are read and hashed at once on several cores:
// in Chromium, a file is read fastest as one long stream per reader, far
// faster than as many small slices (`npm run bench`).
//
// A message names a region [start, end) of `blob`, cut into stripes of
// `stripeBytes` (whole leaves of `leafBytes`); the answer to stripe `ids[k]`
// is `{ id, digests, slices }`: the leaves' SHA-256 digests, 32 bytes each,
// and the leaves as slices of `blob`, which the CAR is made of, both in
// order. Slicing is here too because each `Blob.slice` costs Chromium a
// round trip to its browser process (about 0.7 ms measured), which several
// workers pay at once. A failure answers `{ ids, error }` for the whole
// region.
'use strict'

// Stripes whose digests may be under way at once: bounds the leaf copies
// WebCrypto holds.
const STRIPES_IN_FLIGHT = 4

// Regions are handled one after another, in the order they were sent.
let queue = Promise.resolve()
self.onmessage = ({ data }) => {
  queue = queue.then(() => hashRegion(data))
}
// A region that could not be received has no ids to answer: the uncaught
// error reaches the page as the worker's error event, which marks the pool
// stopped instead of leaving the page waiting forever.
self.onmessageerror = () => {
  throw new Error('a region could not be received')
}

async function hashRegion ({ ids, blob, start, end, leafBytes, stripeBytes }) {
  let reader
  let stripe = []
  const answers = []
  try {
    const leavesPerStripe = stripeBytes / leafBytes
    let slices = []
    let position = start
    let leaf = new Uint8Array(Math.min(leafBytes, end - position))
    let filled = 0
    reader = blob.slice(start, end).stream().getReader()
    for (let next = await reader.read(); !next.done; next = await reader.read()) {
      const piece = next.value
      for (let at = 0; at < piece.length;) {
        if (position === end) throw new Error('the file grew while it was read')
        const taken = Math.min(leaf.length - filled, piece.length - at)
        leaf.set(piece.subarray(at, at + taken), filled)
        filled += taken
        at += taken
        if (filled < leaf.length) continue
        stripe.push(crypto.subtle.digest('SHA-256', leaf))
        slices.push(blob.slice(position, position + leaf.length))
        position += leaf.length
        if (stripe.length === leavesPerStripe || position === end) {
          answers.push(answer(ids[answers.length], stripe, slices))
          stripe = []
          slices = []
          if (answers.length >= STRIPES_IN_FLIGHT) await answers[answers.length - STRIPES_IN_FLIGHT]
        }
        leaf = new Uint8Array(Math.min(leafBytes, end - position))
        filled = 0
      }
    }
    if (position !== end) throw new Error(`read ${position - start} bytes of a ${end - start}-byte region: the file changed while it was read`)
    await Promise.all(answers)
  } catch (error) {
    // The region is answered once, as failed; what is still under way is
    // dropped quietly.
    reader?.cancel().catch(() => {})
    for (const pending of [...stripe, ...answers]) pending.catch(() => {})
    self.postMessage({ ids, error: String((error && error.message) || error) })
  }
}

async function answer (id, leaves, slices) {
  const digests = new Uint8Array(32 * leaves.length)
  ;(await Promise.all(leaves)).forEach((digest, index) => digests.set(new Uint8Array(digest), 32 * index))
  self.postMessage({ id, digests, slices }, [digests.buffer])
}
