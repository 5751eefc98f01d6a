// Replication, Minty's `pin`: a creator adds two pinning services in
// Settings, each with its own token, and the token's metadata and asset
// are pinned on both, live, after a mint and from the token page; a CID
// nobody has fails with the service's reason, and a wrong token says 401.
// The services are the local stack's two Pinning Services API stand-ins,
// on two origins (127.0.0.1 and localhost), which fetch the blocks through
// the stack's gateway.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { STORAGE_TOKEN, assertAccessible, openApp, openSession, closeSession, ports, screenshotPath } from './harness.mjs'
import { mint, mintPage } from './mint-page.mjs'
import { catPng, mintWith } from './tokens.mjs'

const TOKEN_A = `${STORAGE_TOKEN}-psa-a`
const TOKEN_B = `${STORAGE_TOKEN}-psa-b`

function services (stack) {
  return {
    a: { name: 'Stand-in A', endpoint: `${stack.storageUrl}/psa/a`, token: TOKEN_A },
    b: { name: 'Stand-in B', endpoint: `http://localhost:${ports.storage}/psa/b`, token: TOKEN_B }
  }
}

/// Adds a pinning service through the settings page, as a user does.
async function addService (page, { name, endpoint, token }) {
  await page.getByTestId('psa-preset').selectOption('custom')
  await page.getByTestId('psa-name').fill(name)
  await page.getByTestId('psa-endpoint').fill(endpoint)
  await page.getByTestId('psa-token').fill(token)
  await page.getByTestId('add-psa').click()
  await page.locator(`[data-testid="pinning-service"][data-endpoint="${endpoint}"]`).waitFor()
}

/// Every request the page sends, with all its headers (Authorization included).
function recordRequests (page) {
  const requests = []
  page.on('request', async (request) => {
    const entry = { url: request.url(), method: request.method(), headers: {} }
    requests.push(entry)
    entry.headers = await request.allHeaders()
  })
  return requests
}

/// Each cell's statuses, in the order the page showed them, sampled every
/// 100 ms until every cell is final: `{ "<service>|<cid>": [statuses] }`.
async function watchCells (page, cells, timeout = 60000) {
  const seen = {}
  const deadline = Date.now() + timeout
  for (;;) {
    const now = await page.$$eval('[data-testid="pin-row"]', (rows) => rows.flatMap((row) =>
      [...row.querySelectorAll('[data-testid="pin-cell"]')].map((cell, index) =>
        [`${row.dataset.service}|${index}`, cell.dataset.status])))
    for (const [key, status] of now) {
      const list = (seen[key] ??= [])
      if (list.at(-1) !== status) list.push(status)
    }
    const final = now.filter(([, status]) => status === 'pinned' || status === 'failed')
    if (now.length >= cells && final.length === now.length) return seen
    if (Date.now() > deadline) throw new Error(`pins not final within ${timeout} ms: ${JSON.stringify(seen)}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/// Each token went only to its own service, and never into a URL.
function assertTokensStayed (requests, stack) {
  const { a, b } = services(stack)
  for (const { token, endpoint } of [a, b]) {
    const carrying = requests.filter((r) => r.headers.authorization === `Bearer ${token}`)
    assert.ok(carrying.length >= 2, `${endpoint} was asked with its token`)
    for (const request of carrying) {
      assert.ok(request.url.startsWith(endpoint + '/pins'), `${token} went to ${request.url}`)
    }
    for (const request of requests) assert.ok(!request.url.includes(token), `a token in ${request.url}`)
  }
  const toServices = requests.filter((r) => r.url.startsWith(a.endpoint) || r.url.startsWith(b.endpoint))
  for (const request of toServices.filter((r) => r.method !== 'OPTIONS')) {
    const own = request.url.startsWith(a.endpoint) ? a.token : b.token
    assert.equal(request.headers.authorization, `Bearer ${own}`, request.url)
  }
}

describe('Replication to pinning services', () => {
  let stack, browser
  before(async () => { ({ stack, browser } = await openSession()) })
  after(() => closeSession({ stack, browser }))

  it('pins a token from its page, with no mint in this session, on two services, live', async () => {
    const { id, metadataCid, assetCid } = await mintWith(stack, {
      asset: { name: 'cat.png', bytes: catPng(), type: 'image/png' },
      metadata: (image) => ({ name: 'Pinned cat', description: 'kept by two services', image })
    })
    const page = await openApp(browser, stack, { wallet: false, path: '/settings' })
    const requests = recordRequests(page)
    const { a, b } = services(stack)
    await addService(page, a)
    await addService(page, b)
    assert.equal(await page.getByTestId('pinning-service').count(), 2)
    // The secret leaves the page once saved; only a masked form is shown.
    assert.equal(await page.getByTestId('psa-token').inputValue(), '')
    assert.ok(!(await page.content()).includes(TOKEN_A))
    await assertAccessible(page, 'settings with two pinning services')

    await page.goto(`${stack.appUrl}/token/${id}`)
    await page.getByTestId('token-name').waitFor()
    await page.getByTestId('pin-token').click()
    const seen = await watchCells(page, 4)

    const headers = await page.locator('.pin-table thead th').allInnerTexts()
    assert.ok(headers[1].includes(metadataCid) && headers[2].includes(assetCid), headers.join(' | '))
    assert.deepEqual(Object.keys(seen).sort(), ['Stand-in A|0', 'Stand-in A|1', 'Stand-in B|0', 'Stand-in B|1'])
    for (const [cell, statuses] of Object.entries(seen)) {
      assert.equal(statuses.at(-1), 'pinned', `${cell}: ${statuses}`)
      assert.ok(statuses.includes('queued') || statuses.includes('pinning'), `${cell} was shown on its way: ${statuses}`)
    }
    assert.equal(await page.getByRole('status').filter({ hasText: 'Pinned 4 of 4.' }).count(), 1)
    await assertAccessible(page, 'a token pinned to two services')
    // Both stand-ins list the pins as pinned, each under its own token.
    for (const { endpoint, token } of [a, b]) {
      const listed = await (await fetch(`${endpoint}/pins?cid=${metadataCid},${assetCid}`, { headers: { Authorization: `Bearer ${token}` } })).json()
      assert.equal(listed.count, 2, JSON.stringify(listed))
    }
    assertTokensStayed(requests, stack)

    // Pressing again starts nothing new: both services have it.
    const toServices = () => requests.filter((r) => r.url.includes('/psa/')).length
    const asked = toServices()
    await page.getByTestId('pin-token').click()
    await new Promise((resolve) => setTimeout(resolve, 500))
    assert.equal(toServices(), asked)
    assert.deepEqual(page.pageErrors, [])
  })

  it('replicates right after a mint, and keeps going while the creator looks elsewhere', async () => {
    const page = await mintPage(browser, stack)
    const requests = recordRequests(page)
    const { a, b } = services(stack)
    await page.evaluate((list) => localStorage.setItem('minty.pinning_services', JSON.stringify(list)), [a, b].map(({ name, endpoint, token }) => ({
      name, endpoint, enabled: true, token: { token, endpoint: new URL(endpoint).origin }
    })))
    const { tokenId } = await mint(page, { name: 'Fresh mint', file: { name: 'fresh.txt', mimeType: 'text/plain', buffer: Buffer.from(`minted at ${Date.now()}\n`) } })
    await page.getByTestId('pin-row').first().waitFor()
    // Leave the page while the services work, then come back to the token.
    await page.getByRole('navigation').getByRole('link', { name: 'Settings' }).click()
    await page.getByTestId('pinning-services').waitFor()
    await page.getByRole('navigation').getByRole('link', { name: 'Mint' }).click()
    await page.getByTestId('mint-result').waitFor()
    const seen = await watchCells(page, 4)
    for (const [cell, statuses] of Object.entries(seen)) assert.equal(statuses.at(-1), 'pinned', `${cell}: ${statuses}`)
    await page.getByTestId('pin-panel').scrollIntoViewIfNeeded()
    await page.screenshot({ path: screenshotPath('pinning-after-mint'), fullPage: true })
    await assertAccessible(page, 'the mint page replicating a mint')
    assertTokensStayed(requests, stack)
    assert.ok(tokenId > 0)
    assert.deepEqual(page.pageErrors, [])
  })

  it('shows failed with the service\'s reason for a CID nobody has, and 401 for a wrong token', async () => {
    // Metadata that names an asset no node has: it was never uploaded.
    const nowhere = 'bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku'
    const { id } = await mintWith(stack, { metadata: { name: 'Lost asset', image: `ipfs://${nowhere}` } })
    const page = await openApp(browser, stack, { wallet: false, path: '/settings' })
    const { a, b } = services(stack)
    await addService(page, a)
    await addService(page, { ...b, token: 'not-the-token' })
    await page.goto(`${stack.appUrl}/token/${id}`)
    await page.getByTestId('pin-token').click()
    const seen = await watchCells(page, 4, 90000)
    assert.equal(seen['Stand-in A|0'].at(-1), 'pinned')
    assert.equal(seen['Stand-in A|1'].at(-1), 'failed')
    const rowA = page.locator('[data-testid="pin-row"][data-service="Stand-in A"]')
    const reason = await rowA.getByTestId('pin-reason').innerText()
    assert.match(reason, new RegExp(`^Stand-in A could not pin it: no provider found for ${nowhere}`))
    const rowB = page.locator('[data-testid="pin-row"][data-service="Stand-in B"]')
    for (const text of await rowB.getByTestId('pin-reason').allInnerTexts()) {
      assert.match(text, /^Stand-in B refused the access token \(401\)\./)
      assert.ok(!text.includes('not-the-token'))
    }
    assert.match(await page.getByTestId('pin-summary').innerText(), /^Pinned 1 of 4, 3 failed\.$/)
    await page.getByTestId('pin-panel').scrollIntoViewIfNeeded()
    await page.screenshot({ path: screenshotPath('pinning-failed') })
    await assertAccessible(page, 'a token whose pins failed')
    assert.deepEqual(page.pageErrors, [])
  })

  it('fails a pin with the reason when its code cannot be downloaded, and the app goes on', async () => {
    const { id } = await mintWith(stack, {
      asset: { name: 'cat.png', bytes: catPng(), type: 'image/png' },
      metadata: (image) => ({ name: 'Offline cat', image })
    })
    const page = await openApp(browser, stack, { wallet: false, path: '/settings' })
    await addService(page, services(stack).a)
    await page.route('**/split_pin_request*.wasm', (route) => route.abort('internetdisconnected'))
    await page.goto(`${stack.appUrl}/token/${id}`)
    await page.getByTestId('pin-token').click()
    const row = page.locator('[data-testid="pin-row"][data-service="Stand-in A"]')
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="pin-reason"]').length === 2)
    for (const text of await row.getByTestId('pin-reason').allInnerTexts()) {
      assert.match(text, /could not be downloaded: check your connection and try again/)
    }
    // Nothing stopped: the page still navigates and renders.
    await page.getByRole('link', { name: 'Home', exact: true }).click()
    await page.getByTestId('config-chain').waitFor()
    assert.deepEqual(page.pageErrors, [])
  })
})
