// Archiving a token (seed 003, in one click): a collector opens a token's
// page, reads how large its archive will be, and downloads one CAR file
// holding the metadata's and the asset's DAGs, every block checked against
// its CID as it was fetched. ipfs-car unpacks it into the very bytes that
// were minted. A gateway that alters a block fails the archive, naming the
// block, unless another gateway serves that block intact.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import * as dagPb from '@ipld/dag-pb'
import { PHONE, assertAccessible, openApp, openSession, closeSession, repoRoot, screenshotPath } from './harness.mjs'
import { MINTY, mintWith } from './tokens.mjs'

const MIB = 1 << 20
const run = promisify(execFile)
const ipfsCar = path.join(repoRoot, 'node_modules/.bin/ipfs-car')
const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex')

/// A gateway on loopback in front of `target` (a path gateway) that alters
/// the raw answers for block `alter` and waits `delayMs` before each
/// answer. It counts the requests for each CID, and those the browser gave
/// up on before an answer.
async function proxyGateway (target, { alter = null, delayMs = 0 } = {}) {
  const asked = new Map()
  const abandoned = []
  const state = { inFlight: 0 }
  const server = http.createServer(async (request, response) => {
    const cid = request.url.replace(/^\/ipfs\//, '').split(/[/?]/)[0]
    asked.set(cid, (asked.get(cid) || 0) + 1)
    state.inFlight++
    response.on('close', () => {
      state.inFlight--
      if (!response.writableEnded) abandoned.push(request.url)
    })
    if (delayMs) await new Promise((resolve) => setTimeout(resolve, delayMs))
    if (response.destroyed) return
    const answer = await fetch(target + request.url.replace(/^\/ipfs\//, ''), { method: request.method })
    const body = Buffer.from(await answer.arrayBuffer())
    if (cid === alter && request.url.includes('format=raw')) body[body.length - 1] ^= 1
    const headers = { 'access-control-allow-origin': '*' }
    if (answer.headers.get('content-type')) headers['content-type'] = answer.headers.get('content-type')
    response.writeHead(answer.status, headers)
    response.end(body)
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${server.address().port}/ipfs/`,
    asked,
    abandoned,
    /// Requests asked and not yet answered or dropped.
    get inFlight () { return state.inFlight },
    close () {
      server.closeAllConnections()
      return new Promise((resolve) => server.close(resolve))
    }
  }
}

describe('token archive', () => {
  let stack
  let browser
  let directory
  let token
  const asset = randomBytes(40 * MIB)
  let metadataJson

  before(async () => {
    ({ stack, browser } = await openSession())
    directory = mkdtempSync(path.join(os.tmpdir(), 'minty-archive-'))
    // Minted through the storage service's API directly, as a minter's own
    // tooling would: the story is the collector's.
    token = await mintWith(stack, {
      asset: { name: 'noise.bin', bytes: asset, type: 'application/octet-stream' },
      metadata: (uri) => {
        metadataJson = JSON.stringify({ name: 'Forty mebibytes of noise', description: 'Kept in a CAR.', animation_url: uri }, null, 2)
        return metadataJson
      }
    })
  })

  after(async () => {
    await closeSession({ stack, browser })
    rmSync(directory, { recursive: true, force: true })
  })

  /// The CID of the asset file's leaf number `index`, read as the app
  /// reads it: raw blocks, the asset's directory, then its file node.
  async function assetLeaf (index) {
    const raw = async (cid) => new Uint8Array(await (await fetch(`${stack.storageUrl}/ipfs/${cid}?format=raw`)).arrayBuffer())
    const directoryNode = dagPb.decode(await raw(token.assetCid))
    const fileNode = dagPb.decode(await raw(directoryNode.Links[0].Hash.toString()))
    assert.equal(fileNode.Links.length, 160, 'forty 256 KiB leaves a MiB')
    return fileNode.Links[index].Hash.toString()
  }

  async function openToken (settings = {}) {
    const page = await openApp(browser, stack, { path: settings.gateway ? '/settings' : `/token/${token.id}` })
    if (settings.gateway) {
      await page.evaluate(({ gateway, fallbacks }) => {
        localStorage.setItem('minty.gateway', gateway)
        localStorage.setItem('minty.gateway_fallbacks', fallbacks)
      }, settings)
      await page.goto(`${stack.appUrl}/token/${token.id}`)
    }
    page.downloads = []
    page.on('download', (download) => page.downloads.push(download))
    await page.getByTestId('archive-size').waitFor({ timeout: 60000 })
    return page
  }

  const status = (page) => page.getByTestId('archive-status')
  /// Waits for the archive to reach phase `name`; says where it was instead.
  async function phase (page, name, timeout = 120000) {
    try {
      await page.waitForFunction(
        (name) => document.querySelector('[data-testid="archive-status"]')?.dataset.phase === name, name, { timeout })
    } catch (error) {
      const where = await status(page).evaluate((element) => `${element.dataset.phase}: ${element.innerText}`)
      throw new Error(`the archive did not reach "${name}" within ${timeout} ms (${where})`)
    }
  }

  /// Unpacks `root` of the CAR at `file` with the ipfs-car CLI.
  async function unpack (file, root, name) {
    const output = path.join(directory, name)
    await run(ipfsCar, ['unpack', file, '--root', root, '--output', output])
    return output
  }

  it('downloads a 40 MiB token as one CAR that ipfs-car unpacks into the minted bytes', async (t) => {
    const page = await openToken()
    // Before building: the size the DAGs declare, said to be approximate.
    assert.match(await page.getByTestId('archive-size').innerText(), /^about 42\.0 MB as one CAR file/)
    const button = page.getByRole('button', { name: 'Download archive' })
    assert.equal(await button.isEnabled(), true)
    assert.equal(await status(page).getAttribute('role'), 'status')

    const started = Date.now()
    const downloading = page.waitForEvent('download', { timeout: 120000 })
    await button.click()
    const download = await downloading
    const name = download.suggestedFilename()
    assert.equal(name, `token-${MINTY.toLowerCase()}-${token.id}.car`)
    const file = path.join(directory, name)
    await download.saveAs(file)
    await phase(page, 'saved')
    const took = Date.now() - started
    const saved = await status(page).innerText()
    assert.match(saved, /^Saved: 42\.0 MB in \d+\.\d s, every block checked against its CID\.$/)
    t.diagnostic(`${statSync(file).size} bytes built and saved in ${took} ms; the page says "${saved}"`)
    await page.screenshot({ path: screenshotPath('archive-saved-desktop'), fullPage: true })
    await assertAccessible(page, 'a token with its archive saved')
    await page.setViewportSize(PHONE)
    await page.getByTestId('archive-panel').screenshot({ path: screenshotPath('archive-saved-phone') })
    await assertAccessible(page, 'a token with its archive saved (phone)')

    // The header names both roots, the metadata's first.
    const { stdout } = await run(ipfsCar, ['roots', file])
    assert.deepEqual(stdout.trim().split('\n'), [token.metadataCid, token.assetCid])
    // ipfs-car wants to be told which root to unpack; each comes out whole.
    await assert.rejects(run(ipfsCar, ['unpack', file, '--output', path.join(directory, 'both')]), /Multiple roots found/)
    const metadata = await unpack(file, token.metadataCid, 'metadata')
    const assetDir = await unpack(file, token.assetCid, 'asset')
    assert.equal(sha256(readFileSync(path.join(metadata, 'metadata.json'))), sha256(Buffer.from(metadataJson)))
    assert.equal(sha256(readFileSync(path.join(assetDir, 'noise.bin'))), sha256(asset))
    // Every block once: the file is the blocks, their CIDs and the header.
    assert.ok(statSync(file).size < asset.length + 64 * 1024, `${statSync(file).size} bytes`)
    assert.deepEqual(page.pageErrors, [])
    await page.context().close()
  })

  it('refuses the archive, naming the block, when the only gateway alters one block', async () => {
    const leaf = await assetLeaf(80)
    const page = await openToken()
    await stack.alterBlock(leaf)
    try {
      await page.getByRole('button', { name: 'Download archive' }).click()
      await phase(page, 'failed')
      const refusal = await status(page).innerText()
      assert.match(refusal, new RegExp(`do not match the CID ${leaf}`))
      assert.match(refusal, /archive was not made/)
      assert.equal(page.downloads.length, 0, 'nothing was saved')
      await page.screenshot({ path: screenshotPath('archive-altered-desktop'), fullPage: true })
      await assertAccessible(page, 'a token whose archive was refused')
      // The button is back, to try again once the gateway is fixed.
      assert.equal(await page.getByRole('button', { name: 'Download archive' }).isEnabled(), true)
      assert.deepEqual(page.pageErrors, [])
      await page.context().close()
    } finally {
      await stack.storageSwitch('corrupt-gateway', false)
    }
  })

  it('leaves a gateway that alters a block for the next one, and the archive still comes out whole', async () => {
    const leaf = await assetLeaf(100)
    const lying = await proxyGateway(`${stack.storageUrl}/ipfs/`, { alter: leaf })
    try {
      const page = await openToken({ gateway: lying.url, fallbacks: `${stack.storageUrl}/ipfs/` })
      const downloading = page.waitForEvent('download', { timeout: 120000 })
      await page.getByRole('button', { name: 'Download archive' }).click()
      const download = await downloading
      const file = path.join(directory, 'fallback.car')
      await download.saveAs(file)
      await phase(page, 'saved')
      assert.ok(lying.asked.get(leaf) >= 1, 'the altered block was asked of the lying gateway')
      const assetDir = await unpack(file, token.assetCid, 'fallback-asset')
      assert.equal(sha256(readFileSync(path.join(assetDir, 'noise.bin'))), sha256(asset))
      assert.deepEqual(page.pageErrors, [])
      await page.context().close()
    } finally {
      await lying.close()
    }
  })

  it('keeps building when the collector leaves the page, and the file still arrives', async () => {
    const slow = await proxyGateway(`${stack.storageUrl}/ipfs/`, { delayMs: 100 })
    try {
      const page = await openToken({ gateway: slow.url, fallbacks: 'none' })
      const downloading = page.waitForEvent('download', { timeout: 120000 })
      await page.getByRole('button', { name: 'Download archive' }).click()
      await status(page).filter({ hasText: /^Fetching and checking blocks: [1-9][\d.]* MB of/ }).waitFor({ timeout: 60000 })
      await page.getByRole('link', { name: 'Home', exact: true }).click()
      await page.waitForURL(`${stack.appUrl}/`)
      const download = await downloading
      const file = path.join(directory, 'left.car')
      await download.saveAs(file)
      assert.equal(slow.abandoned.length, 0, 'no block request was aborted by leaving')
      const assetDir = await unpack(file, token.assetCid, 'left-asset')
      assert.equal(sha256(readFileSync(path.join(assetDir, 'noise.bin'))), sha256(asset))
      // Back on the token's page, the job says what came of it.
      await page.goBack()
      await phase(page, 'saved', 30000)
      assert.deepEqual(page.pageErrors, [])
      await page.context().close()
    } finally {
      await slow.close()
    }
  })

  it('shows progress in bytes and percent while building, and Cancel stops it and saves nothing', async () => {
    const slow = await proxyGateway(`${stack.storageUrl}/ipfs/`, { delayMs: 250 })
    try {
      const page = await openToken({ gateway: slow.url, fallbacks: 'none' })
      await page.getByRole('button', { name: 'Download archive' }).click()
      await status(page).filter({ hasText: /^Fetching and checking blocks: [1-9][\d.]* MB of about 42\.0 MB \([1-9]\d?%\)$/ })
        .waitFor({ timeout: 60000 })
      const bar = page.getByRole('progressbar', { name: 'Archive progress' })
      assert.ok(Number(await bar.getAttribute('value')) > 0)
      await page.screenshot({ path: screenshotPath('archive-progress-desktop'), fullPage: true })
      await assertAccessible(page, 'a token building its archive')

      const cancel = page.getByRole('button', { name: 'Cancel' })
      // Cancel while blocks are in flight (on a busy machine the page can
      // be between two requests for a moment).
      for (let tries = 0; slow.inFlight === 0 && tries < 100; tries++) await page.waitForTimeout(20)
      const inFlightAtCancel = slow.inFlight
      await cancel.click()
      await phase(page, 'cancelled', 5000)
      assert.equal(await status(page).innerText(), 'Cancelled: nothing was saved.')
      assert.equal(await bar.count(), 0)
      // The blocks in flight were abandoned, not waited for.
      await page.waitForTimeout(1000)
      if (inFlightAtCancel > 0) assert.ok(slow.abandoned.length > 0, `requests in flight were aborted (${inFlightAtCancel} at Cancel)`)
      const askedAtCancel = [...slow.asked.values()].reduce((a, b) => a + b, 0)
      await page.waitForTimeout(1500)
      assert.equal([...slow.asked.values()].reduce((a, b) => a + b, 0), askedAtCancel, 'nothing asked after Cancel')
      assert.equal(page.downloads.length, 0)
      assert.equal(await page.getByRole('button', { name: 'Download archive' }).isEnabled(), true)
      assert.deepEqual(page.pageErrors, [])
      await page.context().close()
    } finally {
      await slow.close()
    }
  })
})
