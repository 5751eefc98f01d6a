// A large file through the nft.storage API: over 100 MiB, the CAR goes in
// parts of at most 50 MiB, at most three at a time, as nft.storage's
// client sent them; the service holds the whole once the last has arrived.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { assertAccessible, openSession, closeSession, screenshotPath } from './harness.mjs'
import { fillForm, mintPage } from './mint-page.mjs'

const MIB = 1 << 20

describe('large uploads', () => {
  let stack
  let browser
  let directory

  before(async () => {
    ({ stack, browser } = await openSession())
    directory = mkdtempSync(path.join(os.tmpdir(), 'minty-large-'))
  })
  after(async () => {
    await closeSession({ stack, browser })
    rmSync(directory, { recursive: true, force: true })
  })

  it('a 150 MiB file goes as at least three CARs of at most 50 MiB, three at a time, and is served whole', async () => {
    const content = randomBytes(150 * MIB)
    const file = path.join(directory, 'huge.bin')
    writeFileSync(file, content)
    const digest = createHash('sha256').update(content).digest('hex')

    const page = await mintPage(browser, stack)
    const carPosts = []
    page.on('request', (request) => {
      if (request.method() === 'POST' && request.url() === `${stack.storageUrl}/upload`) carPosts.push(request)
    })

    await fillForm(page, { name: 'Huge', file })
    await page.getByTestId('mint-submit').click()
    await page.getByTestId('mint-progress-text').filter({ hasText: /MB of 15\d\.\d MB/ }).waitFor({ timeout: 120000 })
    await page.screenshot({ path: screenshotPath('mint-large-upload-progress'), fullPage: true })
    await page.getByTestId('mint-result').waitFor({ timeout: 300000 })

    // The bodies are Blobs, which Playwright does not measure; the network
    // headers say how long each was.
    const sizes = await Promise.all(carPosts.map(async (request) => Number((await request.allHeaders())['content-length'])))
    const parts = sizes.filter((size) => size > MIB)
    assert.ok(parts.length >= 3, `the file went in ${parts.length} parts: ${sizes}`)
    assert.ok(parts.every((size) => size <= 50 * MIB), `parts of ${sizes}`)
    // Overlap from the browser's own network timings: Playwright's events
    // reach the test later than the page starts the next part. A part
    // begins as another's answer is read, and the timings (a wall-clock
    // start plus monotonic offsets) differ by milliseconds there, so an
    // overlap under 50 ms is the hand-over, not a fourth upload.
    const spans = carPosts.map((request) => {
      const { startTime, responseEnd } = request.timing()
      return [startTime, startTime + responseEnd]
    })
    const mostInFlight = Math.max(...spans.map(([start]) =>
      spans.filter(([from, to]) => from === start || (from < start && start < to - 50)).length))
    assert.ok(mostInFlight <= 3, `${mostInFlight} uploads at once: ${JSON.stringify(spans)}`)
    assert.ok(mostInFlight >= 2, 'the parts went in parallel')

    const assetUri = await page.getByTestId('minted-asset-uri').innerText()
    const [, root, name] = assetUri.match(/^ipfs:\/\/([^/]+)\/(.+)$/)
    const served = await fetch(`${stack.storageUrl}/ipfs/${root}/${name}`)
    assert.equal(served.status, 200)
    const hash = createHash('sha256')
    for await (const chunk of served.body) hash.update(chunk)
    assert.equal(hash.digest('hex'), digest, 'the gateway serves the whole file')

    // The status page: nft.storage's GET /{cid}, with the token.
    await page.getByRole('navigation').getByRole('link', { name: 'Uploads', exact: true }).click()
    const row = page.locator(`[data-testid="upload-status"][data-cid="${root}"]`)
    await row.getByTestId('upload-pin-state').waitFor({ timeout: 30000 })
    assert.equal(await row.getByTestId('upload-pin-state').getAttribute('data-state'), 'pinned')
    assert.match(await row.getByTestId('upload-pin-state').innerText(), /pinned · 15\d\.\d MB/)
    await page.screenshot({ path: screenshotPath('uploads-status'), fullPage: true })
    await assertAccessible(page, 'Uploads, with a pinned upload')
    await page.context().close()
  })

  it('the status page says so when a typed CID is not one of this token\'s uploads', async () => {
    const page = await mintPage(browser, stack)
    await page.getByRole('navigation').getByRole('link', { name: 'Uploads', exact: true }).click()
    await page.getByTestId('no-uploads').waitFor()
    await assertAccessible(page, 'Uploads, empty')
    await page.getByTestId('status-cid-input').fill('bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy')
    await page.getByTestId('status-cid-submit').click()
    const state = page.getByTestId('upload-pin-state')
    await state.waitFor()
    assert.equal(await state.getAttribute('data-state'), 'missing')
    await assertAccessible(page, 'Uploads, a CID nobody has')
    await page.getByTestId('status-cid-input').fill('not a cid')
    await page.getByTestId('status-cid-submit').click()
    await page.getByTestId('upload-status-error').filter({ hasText: 'is not a CID' }).waitFor()
    await assertAccessible(page, 'Uploads, refusing a typed CID')
    await page.context().close()
  })
})
