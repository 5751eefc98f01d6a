// Creators' stories: connect, upload to the storage service, sign the mint,
// and land on the token; with every way it can go wrong on the way.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {
  DEV_ACCOUNTS, PHONE, STORAGE_TOKEN, assertAccessible, openApp, ports, repoRoot, screenshotPath, openSession, closeSession
} from './harness.mjs'
import { fillForm, mint, mintPage, recordRequests, uploads } from './mint-page.mjs'
import { ownerOf, rpc, tokenURI, totalSupply } from './chain.mjs'
import { gradientPng, wav } from './media.mjs'
import { MINTY } from './tokens.mjs'
import { deployErc20 } from './erc20.mjs'

const CONTRACT = MINTY

/// The root CID ipfs-car 2.0.0 (the nft-storage profile) gives `bytes`
/// wrapped in a directory as `name`, as the app packs an asset.
function referenceRoot (name, bytes) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'minty-ref-'))
  try {
    writeFileSync(path.join(dir, name), bytes)
    return execFileSync('node', [path.join(repoRoot, 'node_modules/ipfs-car-v2/bin.js'), 'pack', path.join(dir, name), '--output', path.join(dir, 'reference.car')], { encoding: 'utf8' }).trim()
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

describe('creators mint on the local stack', () => {
  let stack
  let browser

  before(async () => ({ stack, browser } = await openSession()))
  after(() => closeSession({ stack, browser }))

  it('mints a PNG and the token page shows it, as the chain says', async () => {
    // The whole journey: save the token in Settings, then mint.
    const page = await openApp(browser, stack)
    const requests = recordRequests(page)
    await page.goto(stack.appUrl + '/settings')
    await page.getByTestId('api-token-input').fill(STORAGE_TOKEN)
    await page.getByTestId('save-api-token').click()
    await page.getByTestId('api-token-masked').waitFor()
    await assertAccessible(page, 'settings with a saved token')
    await page.getByRole('navigation').getByRole('link', { name: 'Mint', exact: true }).click()
    await page.getByTestId('connect-wallet').click()
    await page.getByTestId('wallet-account').waitFor()
    await page.getByTestId('mint-form').waitFor()
    await assertAccessible(page, 'the empty mint form')
    const image = gradientPng(48)
    await fillForm(page, { name: 'Gradient', description: 'A small gradient', file: { name: 'gradient.png', mimeType: 'image/png', buffer: image } })
    await page.screenshot({ path: screenshotPath('mint-form-desktop'), fullPage: true })
    await assertAccessible(page, 'the filled mint form')
    await page.getByTestId('mint-submit').click()
    await page.getByTestId('mint-result').waitFor({ timeout: 60000 })
    await page.screenshot({ path: screenshotPath('mint-result-desktop'), fullPage: true })
    await assertAccessible(page, 'the mint page after a mint')
    const tokenId = Number(await page.getByTestId('minted-token-id').innerText())
    const assetUri = await page.getByTestId('minted-asset-uri').innerText()
    const metadataUri = await page.getByTestId('minted-metadata-uri').innerText()

    assert.match(assetUri, /^ipfs:\/\/bafy[a-z0-9]+\/gradient\.png$/)
    assert.equal(await tokenURI(stack.rpcUrl, CONTRACT, tokenId), metadataUri)
    assert.equal((await ownerOf(stack.rpcUrl, CONTRACT, tokenId)).toLowerCase(), DEV_ACCOUNTS[0].toLowerCase())
    // The stored asset is byte for byte the file.
    const stored = Buffer.from(await (await fetch(`${stack.storageUrl}/ipfs/${assetUri.slice(7)}`)).arrayBuffer())
    assert.ok(stored.equals(image), 'the gateway serves the minted file')
    // The token is only ever sent to the storage endpoint, never in a URL.
    for (const request of requests) {
      assert.ok(!request.url.includes(STORAGE_TOKEN), `the token leaked into ${request.url}`)
      if (request.headers.authorization) assert.ok(request.url.startsWith(stack.storageUrl + '/'), `the token went to ${request.url}`)
    }
    assert.equal(uploads(requests, stack).length, 2, 'asset and metadata, one upload each')

    await page.getByTestId('minted-token-link').click()
    await page.waitForURL(`**/token/${tokenId}`)
    const shown = page.getByTestId('asset-image')
    await shown.waitFor()
    await page.waitForFunction(() => document.querySelector('[data-testid="asset-image"]')?.naturalWidth > 0)
    assert.equal(await page.getByTestId('token-uri').innerText(), metadataUri)
    assert.equal(await page.getByTestId('token-name').innerText(), 'Gradient')
    await assertAccessible(page, 'the minted token')
    assert.deepEqual(page.pageErrors, [])
    await page.context().close()
  })

  it('mints through a Kubo RPC node chosen in Settings, with no token, and the token page shows it', async () => {
    // IPFS Desktop or a local node: choose Kubo RPC and point it at the node.
    const page = await openApp(browser, stack)
    const requests = recordRequests(page)
    await page.goto(stack.appUrl + '/settings')
    await page.getByTestId('storage-provider').selectOption('kubo')
    await page.getByTestId('kubo-endpoint-input').fill(stack.storageUrl)
    await page.getByTestId('save-kubo-endpoint').click()
    await page.waitForFunction((url) => localStorage.getItem('minty.kubo_endpoint') === url, stack.storageUrl)
    assert.equal(await page.evaluate(() => localStorage.getItem('minty.storage_provider')), 'kubo')
    await assertAccessible(page, 'settings with Kubo RPC chosen')
    await page.getByRole('navigation').getByRole('link', { name: 'Mint', exact: true }).click()
    await page.getByTestId('connect-wallet').click()
    await page.getByTestId('wallet-account').waitFor()
    assert.equal(await page.getByTestId('mint-needs-token').count(), 0, 'a local node needs no token')
    const image = gradientPng(24)
    const { tokenId, assetUri, metadataUri } = await mint(page, { name: 'Through Kubo', file: { name: 'kubo.png', mimeType: 'image/png', buffer: image } })

    assert.match(assetUri, /^ipfs:\/\/bafy[a-z0-9]+\/kubo\.png$/)
    assert.equal(await tokenURI(stack.rpcUrl, CONTRACT, tokenId), metadataUri)
    const stored = Buffer.from(await (await fetch(`${stack.storageUrl}/ipfs/${assetUri.slice(7)}`)).arrayBuffer())
    assert.ok(stored.equals(image), 'the node serves the minted file')
    const imports = requests.filter((r) => r.method === 'POST' && r.url.startsWith(`${stack.storageUrl}/api/v0/dag/import`))
    assert.equal(imports.length, 2, 'asset and metadata, one dag/import each')
    for (const request of imports) {
      assert.equal(new URL(request.url).searchParams.get('pin-roots'), 'true')
      assert.equal(request.headers.authorization, undefined, 'no token set, so no Authorization header')
      assert.match(request.headers['content-type'], /^multipart\/form-data; boundary=/)
    }
    assert.equal(uploads(requests, stack).length, 0, 'nothing went to the nft.storage API')

    await page.goto(`${stack.appUrl}/token/${tokenId}`)
    await page.waitForFunction(() => document.querySelector('[data-testid="asset-image"]')?.naturalWidth > 0)
    assert.equal(await page.getByTestId('token-name').innerText(), 'Through Kubo')
    assert.deepEqual(page.pageErrors, [])
    await page.context().close()
  })

  it('a hosted Kubo RPC endpoint gets its own token, never the nft.storage one', async () => {
    const page = await openApp(browser, stack)
    const requests = recordRequests(page)
    // An nft.storage token saved for the same origin, the way earlier builds saved it.
    await page.evaluate((saved) => localStorage.setItem('minty.api_token', JSON.stringify(saved)), { token: STORAGE_TOKEN, endpoint: stack.storageUrl })
    await page.goto(stack.appUrl + '/settings')
    await page.getByTestId('storage-provider').selectOption('kubo')
    await page.getByTestId('kubo-endpoint-input').fill(stack.storageUrl)
    await page.getByTestId('save-kubo-endpoint').click()
    await page.getByTestId('kubo-token-input').fill('kubo-bearer-secret')
    await page.getByTestId('save-kubo-token').click()
    await page.getByTestId('kubo-token-masked').waitFor()
    assert.match(await page.getByTestId('kubo-token-endpoint').innerText(), new RegExp(stack.storageUrl))
    // Each provider keeps its own token; the old key became nft.storage's.
    assert.equal(JSON.parse(await page.evaluate(() => localStorage.getItem('minty.token.kubo'))).token, 'kubo-bearer-secret')
    assert.equal(JSON.parse(await page.evaluate(() => localStorage.getItem('minty.token.nft-storage'))).token, STORAGE_TOKEN)
    assert.equal(await page.evaluate(() => localStorage.getItem('minty.api_token')), null)

    await page.getByRole('navigation').getByRole('link', { name: 'Mint', exact: true }).click()
    await page.getByTestId('connect-wallet').click()
    await page.getByTestId('wallet-account').waitFor()
    await mint(page, { name: 'Hosted Kubo', file: { name: 'hosted.txt', mimeType: 'text/plain', buffer: Buffer.from('pinned by a hosted node\n') } })
    const imports = requests.filter((r) => r.method === 'POST' && r.url.startsWith(`${stack.storageUrl}/api/v0/dag/import`))
    assert.equal(imports.length, 2, 'asset and metadata, one dag/import each')
    for (const request of imports) assert.equal(request.headers.authorization, 'Bearer kubo-bearer-secret')
    for (const request of requests) {
      assert.ok(!JSON.stringify(request).includes(STORAGE_TOKEN), `the nft.storage token went to ${request.url}`)
    }
    assert.equal(uploads(requests, stack).length, 0, 'nothing went to the nft.storage API')
    await page.context().close()
  })

  it('a Kubo node that stores but cannot pin is named with its message, and nothing is minted', async () => {
    const page = await openApp(browser, stack)
    await page.evaluate((url) => {
      localStorage.setItem('minty.storage_provider', 'kubo')
      localStorage.setItem('minty.kubo_endpoint', url)
    }, stack.storageUrl)
    await page.goto(stack.appUrl + '/mint')
    await page.getByTestId('connect-wallet').click()
    await page.getByTestId('wallet-account').waitFor()
    await stack.storageSwitch('kubo-pin-errors', true)
    try {
      await fillForm(page, { name: 'Unpinned', file: { name: 'u.png', mimeType: 'image/png', buffer: gradientPng(5) } })
      await page.getByTestId('mint-submit').click()
      await page.getByTestId('mint-error').waitFor({ timeout: 60000 })
    } finally {
      await stack.storageSwitch('kubo-pin-errors', false)
    }
    const error = await page.getByTestId('mint-error').innerText()
    assert.match(error, /did not pin it, so the node may drop it: pin: context deadline exceeded/)
    assert.match(error, new RegExp(stack.storageUrl.replace(/[.]/g, '\\.')))
    assert.ok(!(await page.evaluate(() => window.__testWallet.requests())).includes('eth_sendTransaction'))
    await page.context().close()
  })

  it('previews a chosen SVG as a picture drawn from it, never as an SVG document of the app', async () => {
    const page = await mintPage(browser, stack)
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40"><script>window.__pwned = 1</script>' +
      '<circle cx="20" cy="20" r="18" fill="teal"/></svg>'
    await page.getByTestId('mint-file').setInputFiles({ name: 'dot.svg', mimeType: 'image/svg+xml', buffer: Buffer.from(svg) })
    await page.waitForFunction(() => document.querySelector('.drop-zone img.preview')?.naturalWidth > 0)
    const src = await page.locator('.drop-zone img.preview').getAttribute('src')
    const tab = await page.context().newPage()
    await tab.goto(src)
    assert.equal(await tab.evaluate(() => document.contentType), 'image/png')
    assert.equal(await tab.evaluate(() => window.__pwned), undefined)
    assert.deepEqual(page.pageErrors, [])
    await page.context().close()
  })

  it('mints a text file and a WAV, and their pages preview them', async () => {
    const page = await mintPage(browser, stack)
    const text = await mint(page, { name: 'Poem', file: { name: 'poem.txt', mimeType: 'text/plain', buffer: Buffer.from('Roses are red.\n') } })
    await page.goto(`${stack.appUrl}/token/${text.tokenId}`)
    await page.getByTestId('asset-text').waitFor()
    assert.match(await page.getByTestId('asset-text').innerText(), /Roses are red\./)

    await page.goto(stack.appUrl + '/mint')
    await page.getByTestId('mint-file').setInputFiles({ name: 'tone.wav', mimeType: 'audio/wav', buffer: wav() })
    // Not an image, so the page offers a preview image for marketplaces.
    await page.getByTestId('mint-preview-file').setInputFiles({ name: 'cover.png', mimeType: 'image/png', buffer: gradientPng(16) })
    const sound = await mint(page, { name: 'Tone', file: { name: 'tone.wav', mimeType: 'audio/wav', buffer: wav() } })
    const metadata = await (await fetch(`${stack.storageUrl}/ipfs/${sound.metadataUri.slice(7)}`)).json()
    assert.equal(metadata.animation_url, sound.assetUri)
    assert.match(metadata.image, /^ipfs:\/\/bafy[a-z0-9]+\/cover\.png$/)
    await page.goto(`${stack.appUrl}/token/${sound.tokenId}`)
    await page.getByTestId('asset-audio').waitFor()
    await page.context().close()
  })

  it('a file named "Artwork #1.png" is minted with its name percent-encoded, and resolves on the gateway', async () => {
    const page = await mintPage(browser, stack)
    const image = gradientPng(20)
    const { tokenId, assetUri, metadataUri } = await mint(page, { name: 'Hash in the name', file: { name: 'Artwork #1.png', mimeType: 'image/png', buffer: image } })
    assert.match(assetUri, /^ipfs:\/\/bafy[a-z0-9]+\/Artwork%20%231\.png$/)
    // Read as any gateway or marketplace would: the URI's path, as written.
    const metadata = await (await fetch(`${stack.storageUrl}/ipfs/${metadataUri.slice(7)}`)).json()
    assert.equal(metadata.image, assetUri)
    const served = await fetch(`${stack.storageUrl}/ipfs/${metadata.image.slice(7)}`)
    assert.equal(served.status, 200)
    assert.ok(Buffer.from(await served.arrayBuffer()).equals(image), 'the gateway serves the file, not a 404')
    await page.goto(`${stack.appUrl}/token/${tokenId}`)
    await page.waitForFunction(() => document.querySelector('[data-testid="asset-image"]')?.naturalWidth > 0)
    await page.context().close()
  })

  it('mints with attributes and an external URL, kept through a reload at the wallet, and the token page lists them', async () => {
    // How the form looks with rows on a phone; nothing is minted from it.
    const phone = await mintPage(browser, stack, { viewport: PHONE })
    await fillForm(phone, {
      name: 'On a phone',
      file: { name: 'p.png', mimeType: 'image/png', buffer: gradientPng(8) },
      externalUrl: 'https://example.com/cats/1',
      attributes: [['Eyes', 'Green'], ['Background', 'A long value, long enough to wrap on a phone']]
    })
    assert.ok(await phone.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'the form fits the phone')
    await phone.screenshot({ path: screenshotPath('mint-attributes-phone'), fullPage: true })
    await assertAccessible(phone, 'the mint form with attributes (phone)')
    await phone.context().close()

    const page = await mintPage(browser, stack)
    const requests = recordRequests(page)
    const externalUrl = 'https://example.com/cats/1'
    await fillForm(page, {
      name: 'Green-eyed cat',
      file: { name: 'green-eyed.png', mimeType: 'image/png', buffer: gradientPng(40) },
      externalUrl,
      attributes: [['Eyes', 'Green'], ['Level', '007'], ['', 'Orphan']]
    })
    await page.screenshot({ path: screenshotPath('mint-attributes-desktop'), fullPage: true })
    // A value without its trait is named by its row, before anything is uploaded.
    await page.getByTestId('mint-submit').click()
    await page.getByTestId('mint-error').waitFor()
    assert.match(await page.getByTestId('mint-error').innerText(), /^Attribute 3: the value "Orphan" has no trait type\. Name the trait/)
    await assertAccessible(page, 'the mint form refusing an attribute')
    assert.equal(uploads(requests, stack).length, 0)
    await page.getByRole('button', { name: 'Remove attribute 3' }).click()
    assert.equal(await page.getByTestId('attribute-row').count(), 2)

    // The wallet's prompt stays open, and the creator reloads the page.
    await page.evaluate(() => window.__testWallet.holdNext('eth_sendTransaction'))
    await page.getByTestId('mint-submit').click()
    await page.waitForFunction(() => window.__testWallet.requests().includes('eth_sendTransaction'), null, { timeout: 60000 })
    page.on('dialog', (dialog) => dialog.accept())
    await page.reload()
    await page.getByTestId('waiting-mint').waitFor({ timeout: 60000 })
    const journal = JSON.parse(await page.evaluate(() => localStorage.getItem('minty.mint_journal')))
    const record = journal.records.find((r) => r.name === 'Green-eyed cat')
    assert.equal(record.external_url, externalUrl)
    assert.deepEqual(record.attributes, [{ trait_type: 'Eyes', value: 'Green' }, { trait_type: 'Level', value: '007' }])
    await page.getByTestId('waiting-mint-continue').click()
    await page.getByTestId('mint-result').waitFor({ timeout: 60000 })
    const tokenId = Number(await page.getByTestId('minted-token-id').innerText())
    const metadataUri = await page.getByTestId('minted-metadata-uri').innerText()

    // The stored metadata: OpenSea's shape, each value the text typed.
    const metadata = await (await fetch(`${stack.storageUrl}/ipfs/${metadataUri.slice(7)}`)).json()
    assert.equal(metadata.external_url, externalUrl)
    assert.deepEqual(metadata.attributes, [{ trait_type: 'Eyes', value: 'Green' }, { trait_type: 'Level', value: '007' }])

    for (const [name, viewport] of [['desktop', null], ['phone', PHONE]]) {
      const tokenPage = viewport ? await openApp(browser, stack, { viewport, path: `/token/${tokenId}` }) : page
      if (!viewport) {
        await page.getByTestId('minted-token-link').click()
        await page.waitForURL(`**/token/${tokenId}`)
      }
      const table = tokenPage.getByRole('table', { name: 'Attributes' })
      await table.waitFor({ timeout: 30000 })
      assert.deepEqual(await table.locator('thead th[scope="col"]').allTextContents(), ['Trait type', 'Value'])
      const rows = table.getByTestId('attribute')
      assert.deepEqual(await rows.getByTestId('attribute-trait-type').allTextContents(), ['Eyes', 'Level'])
      assert.deepEqual(await rows.getByTestId('attribute-value').allTextContents(), ['Green', '007'])
      const link = tokenPage.getByTestId('external-url')
      assert.equal(await link.evaluate((element) => element.tagName), 'A')
      assert.equal(await link.getAttribute('href'), externalUrl)
      assert.equal(await link.getAttribute('rel'), 'noopener noreferrer')
      await tokenPage.waitForFunction(() => document.querySelector('[data-testid="asset-image"]')?.naturalWidth > 0)
      assert.ok(await tokenPage.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'nothing wider than the screen')
      await tokenPage.screenshot({ path: screenshotPath(`token-attributes-${name}`), fullPage: true })
      await assertAccessible(tokenPage, `a token with attributes (${name})`)
      assert.deepEqual(tokenPage.pageErrors, [])
      if (viewport) await tokenPage.context().close()
    }
    await page.context().close()
  })

  it('mints to another owner when one is given', async () => {
    const page = await mintPage(browser, stack)
    const { tokenId } = await mint(page, {
      name: 'Gift',
      file: { name: 'gift.png', mimeType: 'image/png', buffer: gradientPng(8) },
      owner: DEV_ACCOUNTS[1]
    })
    assert.equal((await ownerOf(stack.rpcUrl, CONTRACT, tokenId)).toLowerCase(), DEV_ACCOUNTS[1].toLowerCase())
    await page.context().close()
  })

  it('refuses an owner address with a bad checksum before uploading anything', async () => {
    const page = await mintPage(browser, stack)
    const requests = recordRequests(page)
    await fillForm(page, { name: 'Typo', file: { name: 't.png', mimeType: 'image/png', buffer: gradientPng(4) }, owner: DEV_ACCOUNTS[1].slice(0, -1) + '9' })
    await page.getByTestId('mint-submit').click()
    await page.getByTestId('mint-error').waitFor()
    assert.match(await page.getByTestId('mint-error').innerText(), /checksum|not an Ethereum address/)
    assert.equal(uploads(requests, stack).length, 0)
    await page.context().close()
  })

  it('when the wallet refuses to sign, nothing is minted, and a retry does not upload again', async () => {
    const page = await mintPage(browser, stack)
    const requests = recordRequests(page)
    const before = await totalSupply(stack.rpcUrl, CONTRACT)
    await page.evaluate(() => window.__testWallet.refuse('eth_sendTransaction'))
    await fillForm(page, { name: 'Second thoughts', file: { name: 'maybe.png', mimeType: 'image/png', buffer: gradientPng(12) } })
    await page.getByTestId('mint-submit').click()
    await page.getByTestId('mint-error').waitFor({ timeout: 60000 })
    assert.match(await page.getByTestId('mint-error').innerText(), /rejected the transaction/)
    assert.equal(await totalSupply(stack.rpcUrl, CONTRACT), before)
    const uploadsBeforeRetry = uploads(requests, stack).length
    assert.equal(uploadsBeforeRetry, 2)

    await page.evaluate(() => window.__testWallet.allow('eth_sendTransaction'))
    await page.getByTestId('mint-submit').click()
    await page.getByTestId('mint-result').waitFor({ timeout: 60000 })
    assert.equal(uploads(requests, stack).length, uploadsBeforeRetry, 'the retry reused the uploads')
    assert.equal(await totalSupply(stack.rpcUrl, CONTRACT), before + 1)
    await page.context().close()
  })

  it('a token the storage service refuses (401) is named, and no transaction is asked for', async () => {
    const page = await mintPage(browser, stack, { token: 'not-the-right-token' })
    await fillForm(page, { name: 'Nope', file: { name: 'n.png', mimeType: 'image/png', buffer: gradientPng(4) } })
    await page.getByTestId('mint-submit').click()
    await page.getByTestId('mint-error').waitFor({ timeout: 60000 })
    assert.match(await page.getByTestId('mint-error').innerText(), /refused the API token \(401\)/)
    assert.ok(!(await page.evaluate(() => window.__testWallet.requests())).includes('eth_sendTransaction'))
    await page.context().close()
  })

  it('a rate-limited upload (429 twice) waits as asked, says so, and then succeeds', async () => {
    const page = await mintPage(browser, stack)
    const posts = []
    page.on('request', (request) => {
      if (request.method() === 'POST' && request.url() === `${stack.storageUrl}/upload`) posts.push(Date.now())
    })
    await stack.failUploads({ api: 'nft-storage', status: 429, count: 2, retryAfter: 2 })
    await fillForm(page, { name: 'Patience', file: { name: 'p.png', mimeType: 'image/png', buffer: gradientPng(5) } })
    await page.getByTestId('mint-submit').click()
    await page.getByText(/Rate limited by 127\.0\.0\.1:\d+, retrying in 2 s \(attempt 2 of 6\)/).waitFor({ timeout: 60000 })
    await page.getByTestId('mint-result').waitFor({ timeout: 60000 })
    // Two refused, then the asset and the metadata.
    assert.equal(posts.length, 4)
    assert.ok(posts[1] - posts[0] >= 1900 && posts[2] - posts[1] >= 1900, `Retry-After honoured: ${posts[1] - posts[0]} ms, ${posts[2] - posts[1]} ms`)
    await page.context().close()
  })

  it('a service error (503) is retried after a second', async () => {
    const page = await mintPage(browser, stack)
    await stack.failUploads({ api: 'nft-storage', status: 503, count: 1 })
    await fillForm(page, { name: 'Hiccup', file: { name: 'h.png', mimeType: 'image/png', buffer: gradientPng(6) } })
    await page.getByTestId('mint-submit').click()
    await page.getByText(/had a problem \(HTTP 503\), retrying in 1 s \(attempt 2 of 6\)/).waitFor({ timeout: 60000 })
    await page.getByTestId('mint-result').waitFor({ timeout: 60000 })
    await page.context().close()
  })

  it('a connection dropped halfway through the upload is told as such, retried, and minted', async () => {
    const page = await mintPage(browser, stack)
    const requests = recordRequests(page)
    // Chromium silently sends a request again, once or twice, when a reused
    // connection closes before any answer; three drops reach the app at least once.
    await stack.failUploads({ api: 'nft-storage', fault: 'drop', count: 3 })
    // Large enough that the browser reports bytes sent before the drop.
    await fillForm(page, { name: 'Dropped', file: { name: 'dropped.png', mimeType: 'image/png', buffer: randomBytes(8 << 20) } })
    await page.getByTestId('mint-submit').click()
    // Every stage shown, so a failure says what the page said instead.
    await page.evaluate(() => {
      window.__stages = []
      setInterval(() => {
        const stage = document.querySelector('[data-testid=mint-stage]')?.textContent
        if (stage && window.__stages.at(-1) !== stage) window.__stages.push(stage)
      }, 50)
    })
    await page.getByText(/The connection to 127\.0\.0\.1:\d+ dropped during the upload, retrying in \d+ s \(attempt \d of 6\)/).waitFor({ timeout: 60000 })
      .catch(async (error) => { throw new Error(`${error.message}\nstages: ${JSON.stringify(await page.evaluate(() => window.__stages.filter((s) => !s.startsWith('Computing'))))}`) })
    await page.getByTestId('mint-result').waitFor({ timeout: 60000 })
    assert.ok(uploads(requests, stack).length >= 3, 'a dropped attempt, then the asset and the metadata')
    await page.context().close()
  })

  it('an upload the service stops answering is stopped by the watchdog, retried, and minted', async () => {
    const page = await mintPage(browser, stack)
    await stack.failUploads({ api: 'nft-storage', fault: 'stall', count: 1 })
    await fillForm(page, { name: 'Stalled', file: { name: 'stalled.png', mimeType: 'image/png', buffer: gradientPng(9) } })
    const started = Date.now()
    await page.getByTestId('mint-submit').click()
    // The stack builds the app with a 10 s watchdog (MINTY_TEST_UPLOAD_IDLE_SECS).
    await page.getByText(/127\.0\.0\.1:\d+ stopped sending progress, retrying in 1 s \(attempt 2 of 6\)/).waitFor({ timeout: 40000 })
    assert.ok(Date.now() - started >= 9000, `the watchdog waited for the idle limit: ${Date.now() - started} ms`)
    await page.getByTestId('mint-result').waitFor({ timeout: 60000 })
    await page.context().close()
  })

  it('Cancel stops the upload: nothing is stored, nothing is sent to the wallet', async () => {
    const page = await mintPage(browser, stack)
    const supply = await totalSupply(stack.rpcUrl, CONTRACT)
    const image = gradientPng(11)
    // The service holds the first attempt without answering; were Cancel to
    // do nothing, the watchdog would retry it and the mint would go through.
    await stack.failUploads({ api: 'nft-storage', fault: 'stall', count: 1 })
    await fillForm(page, { name: 'Cancelled', file: { name: 'cancelled.png', mimeType: 'image/png', buffer: image } })
    await page.getByTestId('mint-submit').click()
    await page.getByText('Uploading the file…').waitFor({ timeout: 60000 })
    await page.getByTestId('mint-cancel').click()
    await page.getByTestId('mint-error').waitFor({ timeout: 5000 })
    assert.match(await page.getByTestId('mint-error').innerText(), /Upload cancelled; nothing was sent to your wallet\./)
    assert.equal(await page.getByTestId('mint-cancel').count(), 0, 'no Cancel once the mint has ended')
    const journal = JSON.parse(await page.evaluate(() => localStorage.getItem('minty.mint_journal')))
    const record = (journal.records ?? journal).find((r) => r.name === 'Cancelled')
    assert.equal(record?.state, 'stopped', JSON.stringify(record))
    // Past the watchdog's limit: no attempt came after the cancelled one.
    await new Promise((resolve) => setTimeout(resolve, 12000))
    const root = referenceRoot('cancelled.png', image)
    assert.equal((await fetch(`${stack.storageUrl}/check/${root}`)).status, 404, 'the service holds no CAR of the cancelled file')
    assert.equal(await totalSupply(stack.rpcUrl, CONTRACT), supply)
    await page.context().close()
  })

  it('a refused token (401) is told once and never retried', async () => {
    const page = await mintPage(browser, stack)
    const requests = recordRequests(page)
    await stack.failUploads({ api: 'nft-storage', status: 401, count: 1 })
    await fillForm(page, { name: 'Refused', file: { name: 'r.png', mimeType: 'image/png', buffer: gradientPng(7) } })
    await page.getByTestId('mint-submit').click()
    await page.getByTestId('mint-error').waitFor({ timeout: 60000 })
    assert.match(await page.getByTestId('mint-error').innerText(), /refused the API token \(401\)/)
    assert.equal(uploads(requests, stack).length, 1, 'one attempt only')
    await page.context().close()
  })

  it('a token saved for another endpoint is not sent to this one', async () => {
    const page = await mintPage(browser, stack, { endpoint: 'https://api.nft.storage' })
    const requests = recordRequests(page)
    await fillForm(page, { name: 'Elsewhere', file: { name: 'e.png', mimeType: 'image/png', buffer: gradientPng(4) } })
    await page.getByTestId('mint-submit').click()
    await page.getByTestId('mint-error').waitFor()
    assert.match(await page.getByTestId('mint-error').innerText(), /saved for https:\/\/api\.nft\.storage/)
    assert.ok(requests.every((request) => !request.headers.authorization), 'no request carried the token')
    assert.equal(uploads(requests, stack).length, 0)
    await page.context().close()
  })

  it('an endpoint disguised with "\\@" does not get the token of the origin it imitates', async () => {
    // The browser reads "http://127.0.0.2:P\\@127.0.0.1:P" as host 127.0.0.2
    // (WHATWG URL: "\\" is "/"), so the token saved for 127.0.0.1:P must not go.
    const page = await mintPage(browser, stack)
    const disguised = `http://127.0.0.2:${ports.storage}\\@127.0.0.1:${ports.storage}`
    await page.evaluate((endpoint) => localStorage.setItem('minty.storage_endpoint', endpoint), disguised)
    await page.reload()
    await page.getByTestId('mint-form').waitFor()
    const requests = recordRequests(page)
    await fillForm(page, { name: 'Disguised', file: { name: 'd.png', mimeType: 'image/png', buffer: gradientPng(4) } })
    await page.getByTestId('mint-submit').click()
    await page.getByTestId('mint-error').waitFor({ timeout: 60000 })
    assert.match(await page.getByTestId('mint-error').innerText(), /is not sent there/)
    assert.ok(requests.every((request) => !request.headers.authorization), 'no request carried the token')
    assert.ok(requests.every((request) => !request.url.startsWith('http://127.0.0.2')), 'nothing went to the disguised host')
    await page.context().close()
  })

  it('an upload redirected to another origin is refused, and the token does not follow it', async () => {
    const page = await mintPage(browser, stack)
    const supply = await totalSupply(stack.rpcUrl, CONTRACT)
    const elsewhere = `http://localhost:${ports.storage}`
    const redirected = []
    page.on('request', (request) => { if (request.url().startsWith(elsewhere)) redirected.push(request) })
    // The next upload is answered 307 to the same service under another name.
    await stack.failUploads({ api: 'nft-storage', fault: 'redirect', count: 1 })
    await fillForm(page, { name: 'Redirected', file: { name: 'r.png', mimeType: 'image/png', buffer: gradientPng(5) } })
    await page.getByTestId('mint-submit').click()
    await page.getByTestId('mint-error').waitFor({ timeout: 60000 })
    const error = await page.getByTestId('mint-error').innerText()
    assert.match(error, new RegExp(`redirected the upload to ${elsewhere}, another origin`))
    assert.ok(redirected.length > 0, 'the browser followed the redirect')
    for (const request of redirected) {
      const headers = await request.allHeaders()
      assert.equal(headers.authorization, undefined, `the token went to ${request.url()}`)
    }
    assert.equal(await totalSupply(stack.rpcUrl, CONTRACT), supply, 'nothing minted')
    assert.ok(!(await page.evaluate(() => window.__testWallet.requests())).includes('eth_sendTransaction'))
    await page.context().close()
  })

  it('a token is never saved or sent for plain http off this machine', async () => {
    const page = await mintPage(browser, stack, { token: null })
    const requests = recordRequests(page)
    // A hand-made saved token for a plain-http host elsewhere, as an older
    // version might have stored it: the app must still not send it.
    await page.evaluate(() => {
      localStorage.setItem('minty.storage_endpoint', 'http://storage.example:8787')
      localStorage.setItem('minty.api_token', JSON.stringify({ token: 'test-token', endpoint: 'http://storage.example:8787' }))
    })
    await page.reload()
    await page.getByTestId('mint-form').waitFor()
    await fillForm(page, { name: 'Clear text', file: { name: 'c.png', mimeType: 'image/png', buffer: gradientPng(4) } })
    await page.getByTestId('mint-submit').click()
    await page.getByTestId('mint-error').waitFor({ timeout: 60000 })
    assert.ok(requests.every((request) => !request.url.includes('storage.example')), 'nothing was sent to storage.example')
    assert.ok(requests.every((request) => !request.headers.authorization), 'no request carried the token')

    await page.goto(stack.appUrl + '/settings')
    await page.getByTestId('api-token-input').fill('test-token')
    await page.getByTestId('save-api-token').click()
    await page.getByText(/only sent over https, or over http to this computer/).waitFor()
    await page.context().close()
  })

  it('a storage service that answers with another CID is refused before minting', async () => {
    const page = await mintPage(browser, stack)
    await stack.lieAboutCids({ api: 'nft-storage', on: true })
    try {
      await fillForm(page, { name: 'Swapped', file: { name: 's.png', mimeType: 'image/png', buffer: gradientPng(6) } })
      await page.getByTestId('mint-submit').click()
      await page.getByTestId('mint-error').waitFor({ timeout: 60000 })
      assert.match(await page.getByTestId('mint-error').innerText(), /stored the upload as baf[a-z0-9]+, but this app computed baf[a-z0-9]+/)
      assert.ok(!(await page.evaluate(() => window.__testWallet.requests())).includes('eth_sendTransaction'))
    } finally {
      await stack.lieAboutCids({ api: 'nft-storage', on: false })
    }
    await page.context().close()
  })

  it('says up front that nft.storage Classic no longer takes uploads', async () => {
    const page = await mintPage(browser, stack)
    assert.equal(await page.getByTestId('mint-classic-endpoint').count(), 0)
    await page.evaluate(() => localStorage.setItem('minty.storage_endpoint', 'https://api.nft.storage'))
    await page.reload()
    await page.getByTestId('mint-classic-endpoint').waitFor()
    assert.match(await page.getByTestId('mint-classic-endpoint').innerText(), /stopped accepting uploads on 2024-06-30/)
    await page.context().close()
  })

  it('without a wallet the mint page says what is missing', async () => {
    const page = await openApp(browser, stack, { wallet: false, path: '/mint', viewport: PHONE })
    await page.getByTestId('mint-needs-wallet').waitFor()
    assert.match(await page.getByTestId('mint-needs-wallet').innerText(), /MetaMask/)
    await assertAccessible(page, 'the mint page without a wallet (phone)')
    await page.context().close()
  })

  it('mid-upload the page shows its progress, on a phone too', async () => {
    const page = await mintPage(browser, stack, { viewport: PHONE })
    // 24 MiB, so the stages last long enough to be seen.
    const big = Buffer.alloc(24 << 20)
    for (let i = 0; i < big.length; i += 4096) big[i] = (i >> 12) & 0xff
    await fillForm(page, { name: 'Big', file: { name: 'big.bin', mimeType: 'application/octet-stream', buffer: big } })
    await page.getByTestId('mint-submit').click()
    await page.getByTestId('mint-progress').waitFor()
    assert.ok(await page.getByTestId('mint-submit').isDisabled(), 'no double submit while minting')
    await page.screenshot({ path: screenshotPath('mint-progress-phone'), fullPage: true })
    await assertAccessible(page, 'the mint page mid-upload (phone)')
    await page.getByTestId('mint-result').waitFor({ timeout: 120000 })
    await page.screenshot({ path: screenshotPath('mint-result-phone'), fullPage: true })
    await assertAccessible(page, 'the mint page after a mint (phone)')
    await page.context().close()
  })

  describe('on a fresh chain with no Minty contract', () => {
    let freshChain
    const FRESH_CHAIN_ID = '0x7a6a' // 31338
    const freshRpc = `http://127.0.0.1:${ports.anvil + 1}`

    before(async () => {
      freshChain = spawn(path.join(repoRoot, 'node_modules/.bin/anvil'),
        ['--host', '127.0.0.1', '--port', String(ports.anvil + 1), '--chain-id', '31338'], { stdio: 'ignore' })
      for (let i = 0; i < 100; i++) {
        try { await rpc(freshRpc, 'eth_chainId'); return } catch { await new Promise((resolve) => setTimeout(resolve, 100)) }
      }
      throw new Error('the second anvil did not start')
    })

    after(() => freshChain?.kill())

    it('refuses an address with no code, deploys Minty from the browser, then mints on it', async () => {
      const page = await mintPage(browser, stack)
      await page.evaluate(({ id, url }) => { window.__testWallet.addChain(id, url); window.__testWallet.switchChain(id) }, { id: FRESH_CHAIN_ID, url: freshRpc })
      await page.getByTestId('deploy-panel').waitFor()

      await page.getByTestId('existing-address-input').fill(DEV_ACCOUNTS[1])
      await page.getByTestId('use-existing-address').click()
      await page.getByTestId('deploy-error').waitFor()
      assert.match(await page.getByTestId('deploy-error').innerText(), /no contract at/i)
      await assertAccessible(page, 'the deploy panel refusing an address')

      // An ERC-20 answers name() and symbol() too, but holds no NFTs.
      const coin = await deployErc20(freshRpc)
      await page.getByTestId('existing-address-input').fill(coin)
      await page.getByTestId('use-existing-address').click()
      await page.getByText(/is not an ERC-721 NFT contract/).waitFor()
      assert.equal(await page.getByTestId('deploy-panel').count(), 1, 'the ERC-20 was not adopted')

      await page.getByTestId('deploy-name').fill('Fresh')
      await page.getByTestId('deploy-symbol').fill('FRSH')
      await page.getByTestId('deploy-submit').click()
      await page.getByTestId('mint-form').waitFor({ timeout: 60000 })
      const { tokenId, metadataUri } = await mint(page, { name: 'First', file: { name: 'first.png', mimeType: 'image/png', buffer: gradientPng(10) } })
      assert.equal(tokenId, 1)
      const saved = JSON.parse(await page.evaluate(() => localStorage.getItem('minty.contracts')))
      const address = saved['31338']
      assert.ok(address, 'the new contract is remembered for its chain')
      assert.equal(await tokenURI(freshRpc, address, 1), metadataUri)
      await page.context().close()
    })
  })
})
