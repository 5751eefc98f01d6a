// The galleries: every token newest first, one owner's tokens, "My tokens",
// pages kept in the address, deep links without a wallet, and one hostile
// and one broken token among 120 that spoil only their own cards.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { assertAccessible, closeSession, DEV_ACCOUNTS, DESKTOP, openApp, openSession, PHONE, screenshotPath } from './harness.mjs'
import { catPng, mintToken, upload } from './tokens.mjs'

const TOKENS = 120
// Every third token goes to the second account: 40 of 120.
const ownerOf = (id) => (id % 3 === 0 ? DEV_ACCOUNTS[1] : DEV_ACCOUNTS[0])
const HOSTILE = 77
const BROKEN = 50
// A CID that no one has: its metadata cannot be fetched anywhere.
const NOWHERE = 'bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy'

describe('galleries', () => {
  let stack
  let browser

  before(async () => {
    ({ stack, browser } = await openSession())
    const imageCid = await upload(stack, [{ name: 'cat.png', bytes: catPng(), type: 'image/png' }])
    for (let id = 1; id <= TOKENS; id++) {
      let metadataPath
      if (id === BROKEN) {
        metadataPath = `${NOWHERE}/metadata.json`
      } else {
        const document = id === HOSTILE
          ? { name: '<img src=x onerror="window.__pwned=1">' + 'W'.repeat(5000), image: 'javascript:window.__pwned=1' }
          : { name: `Gallery token ${id}`, description: 'One of many', image: `ipfs://${imageCid}/cat.png` }
        const cid = await upload(stack, [{ name: 'metadata.json', bytes: Buffer.from(JSON.stringify(document)), type: 'application/json' }])
        metadataPath = `${cid}/metadata.json`
      }
      assert.equal(await mintToken(stack, metadataPath, ownerOf(id)), String(id))
    }
  })

  after(() => closeSession({ stack, browser }))

  const cards = (page) => page.getByTestId('token-card')
  const cardIds = (page) => cards(page).evaluateAll((all) => all.map((card) => Number(card.dataset.tokenId)))
  /// Waits until the page shows `id` first: the previous page stays while
  /// the next one is read.
  const firstCardIs = (page, id) => page.waitForFunction((id) =>
    document.querySelector('[data-testid="token-card"]')?.dataset.tokenId === String(id), id)
  /// Waits until every card's metadata has been read or refused.
  const settled = (page) => page.waitForFunction(() =>
    document.querySelectorAll('[data-testid="token-card-check"][data-state="loading"]').length === 0 &&
    document.querySelectorAll('[data-testid="token-card"]').length > 0, null, { timeout: 60000 })

  it('lists the newest 50 tokens for a visitor with no wallet, in at most 3 round trips to the RPC URL', async () => {
    for (const [name, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
      const page = await openApp(browser, stack, { wallet: false, path: '/', viewport })
      const rpcPosts = []
      page.on('request', (request) => { if (request.url() === stack.rpcUrl + '/' || request.url() === stack.rpcUrl) rpcPosts.push(request) })
      await page.goto(`${stack.appUrl}/tokens`)
      await settled(page)

      const ids = await cardIds(page)
      assert.deepEqual(ids, Array.from({ length: 50 }, (_, i) => TOKENS - i))
      assert.match(await page.getByTestId('gallery-count').innerText(), /^120 tokens · page 1 of 3/)
      assert.ok(rpcPosts.length <= 3, `${rpcPosts.length} requests to the RPC URL`)

      const newest = cards(page).first()
      assert.equal(await newest.getByTestId('token-card-name').innerText(), 'Gallery token 120')
      assert.equal(await newest.getByTestId('token-card-check').getAttribute('data-state'), 'checked')
      assert.equal(await newest.getByTestId('token-card-owner').getAttribute('title'), DEV_ACCOUNTS[1])
      await page.waitForFunction(() => document.querySelector('[data-testid="token-card"] img')?.naturalWidth > 0)

      // The hostile token: its name is text, cut short; its javascript:
      // image is not loaded; nothing it carries ran.
      const hostile = page.locator(`[data-testid="token-card"][data-token-id="${HOSTILE}"]`)
      const hostileName = await hostile.getByTestId('token-card-name').innerText()
      assert.ok(hostileName.startsWith('<img src=x onerror='), hostileName.slice(0, 40))
      assert.ok(hostileName.length < 100, `a name of ${hostileName.length} characters`)
      assert.equal(await hostile.locator('img').count(), 0)
      assert.equal(await page.evaluate(() => window.__pwned), undefined)
      assert.deepEqual(page.pageErrors, [])
      await page.screenshot({ path: screenshotPath(`gallery-${name}`), fullPage: name === 'desktop' })
      await assertAccessible(page, `/tokens with a hostile token (${name})`)
      await page.context().close()
    }
  })

  it('keeps its page in the address, and a broken token spoils only its own card', async () => {
    const page = await openApp(browser, stack, { wallet: false, path: '/tokens' })
    await settled(page)
    await page.getByRole('link', { name: /Older tokens/ }).click()
    await page.waitForURL(/\/tokens\?page=2$/)
    await firstCardIs(page, 70)
    await settled(page)
    assert.deepEqual(await cardIds(page), Array.from({ length: 50 }, (_, i) => 70 - i))

    const broken = page.locator(`[data-testid="token-card"][data-token-id="${BROKEN}"]`)
    assert.equal(await broken.getByTestId('token-card-check').getAttribute('data-state'), 'problem')
    const fine = page.locator('[data-testid="token-card"][data-token-id="49"]')
    assert.equal(await fine.getByTestId('token-card-check').getAttribute('data-state'), 'checked')
    await assertAccessible(page, '/tokens page 2 with a broken token')

    // A reload, or a shared link, opens the same page.
    await page.goto(`${stack.appUrl}/tokens?page=3`)
    await settled(page)
    assert.deepEqual(await cardIds(page), Array.from({ length: 20 }, (_, i) => 20 - i))
    assert.equal(await page.getByRole('link', { name: /Older tokens/ }).count(), 0)
    await page.getByRole('link', { name: /Newer tokens/ }).click()
    await page.waitForURL(/\/tokens\?page=2$/)
    await firstCardIs(page, 70)

    // Past the last page, the page says so and offers the first.
    await page.goto(`${stack.appUrl}/tokens?page=9`)
    assert.match(await page.getByTestId('gallery-empty').innerText(), /There is no page 9: these tokens fill 3/)
    assert.deepEqual(page.pageErrors, [])
    await page.context().close()
  })

  it("lists one owner's tokens from a deep link, and the connected account's under My tokens", async () => {
    const visitor = await openApp(browser, stack, { wallet: false, path: `/owner/${DEV_ACCOUNTS[1]}` })
    await settled(visitor)
    assert.match(await visitor.getByTestId('gallery-count').innerText(), /^40 tokens · page 1 of 1/)
    const ids = await cardIds(visitor)
    assert.equal(ids.length, 40)
    assert.ok(ids.every((id) => id % 3 === 0), `${ids}`)
    assert.deepEqual(ids, [...ids].sort((a, b) => b - a), 'newest first')
    assert.equal(await visitor.getByRole('heading', { level: 1 }).innerText(), 'Tokens of an owner')
    await assertAccessible(visitor, "an owner's gallery")
    await visitor.context().close()

    const owner = await openApp(browser, stack, { path: '/' })
    await owner.getByTestId('connect-wallet').click()
    await owner.getByTestId('wallet-account').waitFor()
    await owner.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My tokens' }).click()
    await owner.waitForURL(new RegExp(`/owner/${DEV_ACCOUNTS[0]}$`, 'i'))
    await settled(owner)
    assert.equal(await owner.getByRole('heading', { level: 1 }).innerText(), 'My tokens')
    assert.match(await owner.getByTestId('gallery-count').innerText(), /^80 tokens · page 1 of 2/)
    const mine = await owner.getByTestId('token-card-owner').evaluateAll((all) => all.map((a) => a.title))
    assert.ok(mine.every((address) => address === DEV_ACCOUNTS[0]), `${new Set(mine)}`)
    await assertAccessible(owner, 'My tokens')
    // A card's owner opens that owner's gallery.
    await owner.getByTestId('token-card-owner').first().click()
    await owner.waitForURL(new RegExp(`/owner/${DEV_ACCOUNTS[0]}$`))
    assert.deepEqual(owner.pageErrors, [])
    await owner.context().close()
  })

  it('says so in a sentence when an address owns nothing, or is not an address', async () => {
    const page = await openApp(browser, stack, { wallet: false, path: '/owner/0x000000000000000000000000000000000000dEaD' })
    assert.match(await page.getByTestId('gallery-empty').innerText(), /^This address owns no tokens of this contract\./)
    await assertAccessible(page, 'an empty gallery')
    await page.goto(`${stack.appUrl}/owner/0xnot-an-address`)
    assert.match(await page.getByTestId('gallery-error').innerText(), /"0xnot-an-address" is not an Ethereum address/)
    await assertAccessible(page, 'a gallery of no address')
    assert.deepEqual(page.pageErrors, [])
    await page.context().close()
  })
})
