// Creators' stories with Pinata chosen in Settings, against the local
// stack's Pinata stand-in: its API on http://127.0.0.1:<port> and its
// uploads on http://localhost:<port>, the same server under two origins, so
// the JWT's binding to both (and to nothing else) is seen in the requests.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { STORAGE_TOKEN, assertAccessible, openApp, openSession, closeSession } from './harness.mjs'
import { fillForm, mint, recordRequests, uploads } from './mint-page.mjs'
import { tokenURI, totalSupply } from './chain.mjs'
import { gradientPng } from './media.mjs'
import { MINTY } from './tokens.mjs'

const CONTRACT = MINTY
const MB = 1000 * 1000

/// Chooses Pinata in Settings, points both its endpoints at the stand-in
/// and saves `jwt`; answers the page on Settings with the wallet's test
/// account.
async function withPinata (browser, stack, { jwt = STORAGE_TOKEN } = {}) {
  const api = stack.storageUrl
  const uploadsUrl = stack.storageUrl.replace('127.0.0.1', 'localhost')
  const page = await openApp(browser, stack)
  const requests = recordRequests(page)
  await page.goto(stack.appUrl + '/settings')
  await page.getByTestId('storage-provider').selectOption('pinata')
  await page.getByTestId('pinata-api-endpoint-input').fill(api)
  await page.getByTestId('save-pinata-api-endpoint').click()
  await page.waitForFunction((url) => localStorage.getItem('minty.pinata_api_endpoint') === url, api)
  await page.getByTestId('pinata-uploads-endpoint-input').fill(uploadsUrl)
  await page.getByTestId('save-pinata-uploads-endpoint').click()
  await page.waitForFunction((url) => localStorage.getItem('minty.pinata_uploads_endpoint') === url, uploadsUrl)
  await page.getByTestId('pinata-token-input').fill(jwt)
  await page.getByTestId('save-pinata-token').click()
  await page.getByTestId('pinata-token-masked').waitFor()
  await assertAccessible(page, 'settings with Pinata chosen')
  assert.equal(await page.evaluate(() => localStorage.getItem('minty.storage_provider')), 'pinata')
  await page.getByRole('navigation').getByRole('link', { name: 'Mint', exact: true }).click()
  await page.getByTestId('connect-wallet').click()
  await page.getByTestId('wallet-account').waitFor()
  return { page, requests, api, uploadsUrl }
}

/// The JWT went to Pinata's two base URLs only, and never into a URL.
function assertJwtStayedWithPinata (requests, jwt, { api, uploadsUrl }) {
  let carried = 0
  for (const request of requests) {
    assert.ok(!request.url.includes(jwt), `the JWT leaked into ${request.url}`)
    if (request.headers.authorization) {
      carried++
      assert.equal(request.headers.authorization, `Bearer ${jwt}`)
      assert.ok(request.url.startsWith(api + '/') || request.url.startsWith(uploadsUrl + '/'), `the JWT went to ${request.url}`)
    }
  }
  assert.ok(carried > 0, 'the uploads carried the JWT')
}

const pins = (requests, api) => requests.filter((r) => r.method === 'POST' && r.url === `${api}/pinning/pinFileToIPFS`)

async function standInRequests (stack) {
  return (await fetch(`${stack.storageUrl}/__test/pinata-requests`)).json()
}

/// Writes `bytes` pseudo-random bytes to a file, a slice at a time, and
/// answers its path and SHA-256: the test never holds the file whole.
async function bigFile (bytes) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'minty-pinata-'))
  const file = path.join(dir, 'big.bin')
  const out = createWriteStream(file)
  const hash = createHash('sha256')
  const slice = Buffer.alloc(1 << 20)
  let seed = 0x9e3779b9
  for (let written = 0; written < bytes; written += slice.length) {
    for (let i = 0; i < slice.length; i += 4) {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0
      slice.writeUInt32LE(seed, i)
    }
    const part = slice.subarray(0, Math.min(slice.length, bytes - written))
    hash.update(part)
    if (!out.write(part)) await new Promise((resolve) => out.once('drain', resolve))
  }
  await new Promise((resolve, reject) => out.end((error) => (error ? reject(error) : resolve())))
  return { dir, file, sha256: hash.digest('hex') }
}

/// Mints a large file, waiting as long as hashing and uploading it takes;
/// a mint error fails the story with its sentence.
async function mintLarge (page, form) {
  await fillForm(page, form)
  await page.getByTestId('mint-submit').click()
  await Promise.race([
    page.getByTestId('mint-result').waitFor({ timeout: 10 * 60000 }),
    page.getByTestId('mint-error').waitFor({ timeout: 10 * 60000 }).then(async () => {
      throw new Error(await page.getByTestId('mint-error').innerText())
    })
  ])
  return {
    tokenId: Number(await page.getByTestId('minted-token-id').innerText()),
    assetUri: await page.getByTestId('minted-asset-uri').innerText()
  }
}

/// The SHA-256 of what `url` serves, read as a stream.
async function servedSha256 (url) {
  const response = await fetch(url)
  assert.equal(response.status, 200, url)
  const hash = createHash('sha256')
  let bytes = 0
  for await (const chunk of response.body) {
    hash.update(chunk)
    bytes += chunk.length
  }
  return { sha256: hash.digest('hex'), bytes }
}

describe('creators mint through Pinata', () => {
  let stack
  let browser

  before(async () => ({ stack, browser } = await openSession()))
  after(() => closeSession({ stack, browser }))

  it('mints through Pinata chosen in Settings, and the token page shows the image, checked', async () => {
    const { page, requests, api, uploadsUrl } = await withPinata(browser, stack)
    assert.equal(await page.getByTestId('mint-needs-token').count(), 0, 'the JWT is saved')
    const image = gradientPng(32)
    const { tokenId, assetUri, metadataUri } = await mint(page, { name: 'Through Pinata', file: { name: 'pinata.png', mimeType: 'image/png', buffer: image } })

    assert.match(assetUri, /^ipfs:\/\/bafy[a-z0-9]+\/pinata\.png$/, 'the directory keeps the file name')
    assert.match(metadataUri, /^ipfs:\/\/bafy[a-z0-9]+\/metadata\.json$/)
    assert.equal(await tokenURI(stack.rpcUrl, CONTRACT, tokenId), metadataUri)
    const stored = Buffer.from(await (await fetch(`${stack.storageUrl}/ipfs/${assetUri.slice(7)}`)).arrayBuffer())
    assert.ok(stored.equals(image), 'the gateway serves the minted file')
    assert.equal(pins(requests, api).length, 2, 'asset and metadata, one pinFileToIPFS each')
    for (const request of pins(requests, api)) assert.match(request.headers['content-type'], /^multipart\/form-data; boundary=/)
    assert.equal(uploads(requests, stack).length, 0, 'nothing went to the nft.storage API')
    assertJwtStayedWithPinata(requests, STORAGE_TOKEN, { api, uploadsUrl })
    // The stand-in has the pin, under the directory the app computed.
    const listed = await (await fetch(`${api}/v3/files/public?cid=${assetUri.slice(7).split('/')[0]}`, { headers: { Authorization: `Bearer ${STORAGE_TOKEN}` } })).json()
    assert.equal(listed.data.files.length, 1)

    await page.goto(`${stack.appUrl}/token/${tokenId}`)
    await page.waitForFunction(() => document.querySelector('[data-testid="asset-image"]')?.naturalWidth > 0)
    await page.waitForFunction(() => document.querySelector('[data-testid="asset-verified"]')?.dataset.verified === 'true')
    assert.equal(await page.getByTestId('token-name').innerText(), 'Through Pinata')
    assert.deepEqual(page.pageErrors, [])
    await page.context().close()
  })

  it('a 120 MB file goes through the resumable upload in chunks under 50 MB, public, and is served whole', async () => {
    const big = await bigFile(120 * MB)
    try {
      const { page, requests, api, uploadsUrl } = await withPinata(browser, stack)
      const before = (await standInRequests(stack)).length
      await fillForm(page, { name: 'Big', file: big.file })
      // Progress is sampled while the file goes up: in bytes of the whole
      // file, across chunks.
      const progress = []
      const sampling = (async () => {
        while (!(await page.getByTestId('mint-result').count()) && !(await page.getByTestId('mint-error').count())) {
          const bar = page.getByTestId('mint-progress')
          if (await bar.count()) progress.push(await bar.evaluate((el) => [Number(el.value), Number(el.max)]).catch(() => null))
          await new Promise((resolve) => setTimeout(resolve, 250))
        }
      })()
      await page.getByTestId('mint-submit').click()
      await Promise.race([
        page.getByTestId('mint-result').waitFor({ timeout: 10 * 60000 }),
        page.getByTestId('mint-error').waitFor({ timeout: 10 * 60000 }).then(async () => {
          throw new Error(await page.getByTestId('mint-error').innerText())
        })
      ])
      await sampling
      const assetUri = await page.getByTestId('minted-asset-uri').innerText()
      const tokenId = Number(await page.getByTestId('minted-token-id').innerText())

      const seen = (await standInRequests(stack)).slice(before)
      const created = seen.filter((entry) => entry.method === 'POST')
      assert.equal(created.length, 1, 'one resumable upload')
      assert.equal(created[0].length, 120 * MB)
      assert.equal(created[0].metadata.network, 'public', 'never private')
      assert.equal(created[0].metadata.filename, 'big.bin')
      const patches = seen.filter((entry) => entry.method === 'PATCH' && entry.id === created[0].id)
      assert.ok(patches.length >= 3, `several PATCHes: ${patches.length}`)
      for (const patch of patches) assert.ok(patch.bytes < 50 * MB, `a chunk of ${patch.bytes} bytes`)
      assert.equal(patches.reduce((sum, patch) => sum + patch.bytes, 0), 120 * MB)

      assert.match(assetUri, /^ipfs:\/\/bafy[a-z0-9]+$/, 'the file on its own: ipfs://<file cid>')
      const served = await servedSha256(`${stack.storageUrl}/ipfs/${assetUri.slice(7)}`)
      assert.equal(served.bytes, 120 * MB)
      assert.equal(served.sha256, big.sha256, 'the gateway serves the file whole')
      const metadataUri = await tokenURI(stack.rpcUrl, CONTRACT, tokenId)
      const metadata = await (await fetch(`${stack.storageUrl}/ipfs/${metadataUri.slice(7)}`)).json()
      assert.ok(JSON.stringify(metadata).includes(assetUri), 'the metadata names the asset')
      assert.equal(metadata.name, 'Big')

      const sizes = progress.filter(Boolean)
      assert.ok(sizes.some(([value, max]) => max === 120 * MB && value > 45 * MB), `progress across chunks: ${JSON.stringify(sizes.slice(-5))}`)
      const sent = requests.filter((r) => r.method === 'PATCH')
      assert.ok(sent.every((r) => r.url.startsWith(uploadsUrl + '/v3/files/')), 'chunks go to the uploads origin')
      assertJwtStayedWithPinata(requests, STORAGE_TOKEN, { api, uploadsUrl })
      assert.deepEqual(page.pageErrors, [])
      await page.context().close()
    } finally {
      rmSync(big.dir, { recursive: true, force: true })
    }
  })

  it('a chunk whose connection drops is resumed from the offset HEAD reports, and the file arrives whole', async () => {
    const big = await bigFile(101 * MB)
    try {
      const { page } = await withPinata(browser, stack)
      const before = (await standInRequests(stack)).length
      // The next upload request is the first PATCH: half of it arrives.
      await stack.failUploads({ api: 'pinata', fault: 'drop', count: 1 })
      const { assetUri } = await mintLarge(page, { name: 'Resumed', file: big.file })
      const seen = (await standInRequests(stack)).slice(before)
      const patches = seen.filter((entry) => entry.method === 'PATCH')
      assert.equal(patches[0].dropped, true)
      const kept = patches[0].bytes
      assert.ok(kept > 0 && kept < 40 * 1024 * 1024, `part of the first chunk arrived: ${kept}`)
      const head = seen.findIndex((entry) => entry.method === 'HEAD')
      assert.ok(head > seen.indexOf(patches[0]), 'HEAD asked where to resume')
      assert.equal(patches[1].offset, kept, 'resumed from what arrived, not from what was sent')
      assert.equal(patches.reduce((sum, patch) => sum + patch.bytes, 0), 101 * MB, 'no byte sent twice')
      const served = await servedSha256(`${stack.storageUrl}/ipfs/${assetUri.slice(7)}`)
      assert.equal(served.sha256, big.sha256)
      await page.context().close()
    } finally {
      rmSync(big.dir, { recursive: true, force: true })
    }
  })

  it('a wrong JWT is refused (401), told once and not retried, and nothing is minted', async () => {
    const { page, requests, api } = await withPinata(browser, stack, { jwt: 'not-the-pinata-jwt' })
    const supply = await totalSupply(stack.rpcUrl, CONTRACT)
    await fillForm(page, { name: 'Refused', file: { name: 'r.png', mimeType: 'image/png', buffer: gradientPng(9) } })
    await page.getByTestId('mint-submit').click()
    await page.getByTestId('mint-error').waitFor({ timeout: 60000 })
    const error = await page.getByTestId('mint-error').innerText()
    assert.match(error, /refused the API token \(401\)/)
    assert.equal(error.match(/401/g).length, 1, 'told once')
    await assertAccessible(page, 'the mint page refused by Pinata')
    assert.equal(pins(requests, api).length, 1, 'one attempt only')
    assert.ok(!(await page.evaluate(() => window.__testWallet.requests())).includes('eth_sendTransaction'))
    assert.equal(await totalSupply(stack.rpcUrl, CONTRACT), supply)
    await page.context().close()
  })

  it('a CID Pinata answers that is not the computed one is refused naming Pinata, and nothing is minted', async () => {
    const { page, api } = await withPinata(browser, stack)
    const supply = await totalSupply(stack.rpcUrl, CONTRACT)
    await stack.lieAboutCids({ api: 'pinata', on: true })
    try {
      await fillForm(page, { name: 'Swapped', file: { name: 's.png', mimeType: 'image/png', buffer: gradientPng(11) } })
      await page.getByTestId('mint-submit').click()
      await page.getByTestId('mint-error').waitFor({ timeout: 60000 })
    } finally {
      await stack.lieAboutCids({ api: 'pinata', on: false })
    }
    const error = await page.getByTestId('mint-error').innerText()
    assert.ok(error.includes(`Pinata (${api}) stored the upload as baf`), error)
    assert.match(error, /but this app computed baf[a-z0-9]+\. No transaction was sent/)
    assert.ok(!(await page.evaluate(() => window.__testWallet.requests())).includes('eth_sendTransaction'))
    assert.equal(await totalSupply(stack.rpcUrl, CONTRACT), supply)
    await page.context().close()
  })
})
