// The browser packer (wasm, in Chromium) against the reference, byte for
// byte: ipfs-car@2.0.0 for nft-storage and ipfs-car@3.1.0 for
// unixfs-v1-2025, with leaves hashed by WebCrypto and, where a page has no
// WebCrypto, by the wasm fallback.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { openApp, repoRoot, openSession, closeSession } from './harness.mjs'

// The same deterministic bytes in Node and in the page (xorshift32).
const FILL_SOURCE = `(size, seed) => {
  const bytes = new Uint8Array(size)
  let state = (seed * 2654435761) >>> 0 || 1
  for (let i = 0; i < size; i++) {
    state ^= state << 13; state >>>= 0
    state ^= state >>> 17
    state ^= state << 5; state >>>= 0
    bytes[i] = state & 0xff
  }
  return bytes
}`
const fill = eval(FILL_SOURCE) // eslint-disable-line no-eval

const REFERENCES = {
  'nft-storage': 'node_modules/ipfs-car-v2/bin.js',
  'unixfs-v1-2025': 'node_modules/ipfs-car/bin.js'
}

function reference (profile, size, seed) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'minty-pack-'))
  const input = path.join(dir, 'asset.bin')
  const car = path.join(dir, 'reference.car')
  try {
    writeFileSync(input, fill(size, seed))
    const root = execFileSync('node', [path.join(repoRoot, REFERENCES[profile]), 'pack', input, '--output', car], { encoding: 'utf8' }).trim()
    return { root, carSha256: createHash('sha256').update(readFileSync(car)).digest('hex') }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

async function packInPage (page, profile, size, seed, hashWorkers) {
  return page.evaluate(async ({ fillSource, profile, size, seed, hashWorkers }) => {
    const bytes = eval(fillSource)(size, seed) // eslint-disable-line no-eval
    const progress = []
    const packed = await window.wasmBindings.packBlob(new Blob([bytes]), 'asset.bin', profile, (done, total) => progress.push([done, total]), hashWorkers)
    const subtle = window.__realSubtle || crypto.subtle
    const digest = new Uint8Array(await subtle.digest('SHA-256', await packed.car.arrayBuffer()))
    return {
      root: packed.root,
      carSha256: Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join(''),
      carBytes: packed.carBytes,
      carSize: packed.car.size,
      progress
    }
  }, { fillSource: FILL_SOURCE, profile, size, seed, hashWorkers })
}

const CASES = [
  ['nft-storage', 0], ['nft-storage', 1], ['nft-storage', 262143], ['nft-storage', 262144],
  ['nft-storage', 262145], ['nft-storage', 174 * 262144 + 1],
  ['unixfs-v1-2025', 1048576], ['unixfs-v1-2025', 3 * 1048576 + 7]
]

describe('content addressing in the browser', () => {
  let stack
  let browser

  before(async () => ({ stack, browser } = await openSession()))
  after(() => closeSession({ stack, browser }))

  // Every path the packer can take: a pool of workers (forced here even for
  // the tiny files, which the app itself hashes on the page), WebCrypto on
  // the page's thread, and wasm where the page has no WebCrypto.
  const PATHS = [['WebCrypto in 2 workers', false, 2], ['WebCrypto on the page', false, 0], ['wasm', true, 0]]
  for (const [hashing, hideWebCrypto, hashWorkers] of PATHS) {
    it(`packs files exactly as ipfs-car does, hashing with ${hashing}`, async () => {
      const page = await openApp(browser, stack, { wallet: false })
      await page.waitForFunction(() => window.wasmBindings && window.wasmBindings.packBlob)
      if (hideWebCrypto) {
        // As on a plain-http page off localhost, where crypto.subtle is undefined.
        await page.evaluate(() => {
          window.__realSubtle = crypto.subtle
          Object.defineProperty(Crypto.prototype, 'subtle', { get: () => undefined })
        })
      }
      for (const [index, [profile, size]] of CASES.entries()) {
        if (hideWebCrypto && size > 4 << 20) continue
        const expected = reference(profile, size, index + 1)
        const actual = await packInPage(page, profile, size, index + 1, hashWorkers)
        const what = `${size} bytes, profile ${profile}, hashed with ${hashing}`
        assert.equal(actual.root, expected.root, `root CID of ${what}`)
        assert.equal(actual.carSha256, expected.carSha256, `CAR bytes of ${what}`)
        assert.equal(actual.carBytes, actual.carSize, `reported CAR size of ${what}`)
        const last = actual.progress.at(-1)
        assert.deepEqual(last, [size, size], `progress of ${what} ends at the whole file`)
        assert.ok(actual.progress.every(([done], i, all) => i === 0 || done >= all[i - 1][0]), `progress of ${what} only grows`)
      }
      await page.context().close()
    })
  }

  it('packs a file of several regions in one worker exactly as ipfs-car does', async () => {
    // Over 64 MiB, one worker gets two regions, and the page must settle
    // their stripes in file order.
    const page = await openApp(browser, stack, { wallet: false })
    await page.waitForFunction(() => window.wasmBindings && window.wasmBindings.packBlob)
    const size = 64 * 1048576 + 3 * 262144 + 5
    const expected = reference('nft-storage', size, 43)
    const actual = await packInPage(page, 'nft-storage', size, 43, 1)
    assert.equal(actual.root, expected.root)
    assert.equal(actual.carSha256, expected.carSha256)
    assert.equal(actual.carBytes, actual.carSize)
    assert.ok(actual.progress.every(([done], i, all) => i === 0 || done >= all[i - 1][0]), 'progress only grows')
    await page.context().close()
  })

  it('packs on the page\'s thread when a host does not serve the hashing worker', async () => {
    const page = await openApp(browser, stack, { wallet: false })
    await page.route('**/hash-worker.js', (route) => route.fulfill({ status: 404, body: 'not here' }))
    await page.waitForFunction(() => window.wasmBindings && window.wasmBindings.packBlob)
    const size = 5 * 1048576 + 3 // above the size the app gives to workers
    const expected = reference('nft-storage', size, 41)
    const actual = await packInPage(page, 'nft-storage', size, 41, undefined)
    assert.equal(actual.root, expected.root)
    assert.equal(actual.carSha256, expected.carSha256)
    assert.deepEqual(actual.progress.at(-1), [size, size])
    // Asked for workers outright, it says why they failed instead.
    const refused = await page.evaluate(async () => {
      try {
        await window.wasmBindings.packBlob(new Blob([new Uint8Array(1024)]), null, 'nft-storage', null, 2)
        return null
      } catch (error) {
        return String(error)
      }
    })
    assert.match(refused ?? 'packed', /a hashing worker stopped: its script \(\/hash-worker\.js\) did not load/)
    await page.context().close()
  })
})
