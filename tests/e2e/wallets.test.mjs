// Wallet discovery (EIP-6963): with several wallets installed, Connect asks
// which one, shows each by its announced name and icon, uses the chosen one
// for everything (it is the one that signs), and remembers it; a wallet
// that only sets `window.ethereum` is still found.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { assertAccessible, closeSession, DEV_ACCOUNTS, openApp, openSession, screenshotPath } from './harness.mjs'
import { ownerOf, rpc } from './chain.mjs'
import { catPng, MINTY, mintWith } from './tokens.mjs'

const TWO_WALLETS = [
  { name: 'Fox Wallet', rdns: 'org.example.fox', account: DEV_ACCOUNTS[0] },
  {
    name: 'Owl Wallet',
    rdns: 'org.example.owl',
    account: DEV_ACCOUNTS[1],
    // Untrusted: an icon that is not an image data URI is not shown.
    icon: 'javascript:window.__pwned=1'
  }
]

describe('wallet discovery', () => {
  let stack
  let browser

  before(async () => {
    ({ stack, browser } = await openSession())
  })
  after(() => closeSession({ stack, browser }))

  it('offers a choice of wallets, and the chosen one is the one that signs', async () => {
    // Owned by the second wallet's account, so only that wallet can move it.
    const { id } = await mintWith(stack, {
      asset: { name: 'cat.png', bytes: catPng(), type: 'image/png' },
      metadata: (image) => ({ name: 'Owl’s cat', image })
    })
    await rpc(stack.rpcUrl, 'eth_sendTransaction', [{
      from: DEV_ACCOUNTS[0],
      to: MINTY,
      // safeTransferFrom(DEV_ACCOUNTS[0], DEV_ACCOUNTS[1], id)
      data: '0x42842e0e' + [DEV_ACCOUNTS[0], DEV_ACCOUNTS[1]].map((a) => a.slice(2).toLowerCase().padStart(64, '0')).join('') +
        BigInt(id).toString(16).padStart(64, '0')
    }])

    const page = await openApp(browser, stack, { wallets: TWO_WALLETS, path: `/token/${id}` })
    await page.getByTestId('connect-wallet').click()
    const choices = page.getByTestId('wallet-choice')
    await page.getByTestId('wallet-chooser').waitFor()
    assert.deepEqual(await choices.allInnerTexts(), ['Fox Wallet', 'Owl Wallet'])
    assert.equal(await choices.nth(0).locator('img').getAttribute('src').then((src) => src.startsWith('data:image/svg+xml')), true)
    assert.equal(await choices.nth(1).locator('img').count(), 0, 'a javascript: icon is not shown')
    await page.screenshot({ path: screenshotPath('wallet-chooser'), fullPage: true })
    await assertAccessible(page, 'the wallet chooser')
    // No wallet was asked anything before the choice.
    assert.deepEqual(await page.evaluate(() => window.__testWallets.map((w) => w.requests().filter((m) => m !== 'eth_chainId'))), [[], []])

    await page.locator('[data-testid="wallet-choice"][data-rdns="org.example.owl"]').click()
    await page.getByTestId('wallet-account').waitFor()
    assert.equal(await page.getByTestId('wallet-account').getAttribute('title'), DEV_ACCOUNTS[1])

    // The owner's form is there because the Owl wallet's account owns it;
    // the transfer is signed by the Owl wallet, not the one at window.ethereum.
    await page.getByTestId('transfer-to').fill(DEV_ACCOUNTS[0])
    await page.getByTestId('transfer-submit').click()
    await page.getByTestId('token-owner').filter({ hasText: DEV_ACCOUNTS[0] }).waitFor({ timeout: 30000 })
    assert.equal((await ownerOf(stack.rpcUrl, MINTY, id)).toLowerCase(), DEV_ACCOUNTS[0].toLowerCase())
    const sent = await page.evaluate(() => window.__testWallets.map((w) => w.sentHashes().length))
    assert.deepEqual(sent, [0, 1])

    // Remembered: after a reload, Connect goes straight to the Owl wallet.
    await page.reload()
    await page.getByTestId('wallet-account').waitFor()
    assert.equal(await page.getByTestId('wallet-account').getAttribute('title'), DEV_ACCOUNTS[1])
    assert.equal(await page.getByTestId('wallet-chooser').count(), 0)

    // And the user can move to the other wallet.
    await page.getByTestId('switch-wallet').click()
    await page.locator('[data-testid="wallet-choice"][data-rdns="org.example.fox"]').click()
    await page.getByTestId('wallet-account').waitFor()
    assert.equal(await page.getByTestId('wallet-account').getAttribute('title'), DEV_ACCOUNTS[0])
    assert.equal(await page.evaluate(() => window.__pwned), undefined)
    assert.deepEqual(page.pageErrors, [])
    await page.context().close()
  })

  it('says so in place of the chooser when its code cannot be downloaded, and Try again loads it', async () => {
    const page = await openApp(browser, stack, { wallets: TWO_WALLETS })
    const chooserModule = '**/split_wallet_chooser*.wasm'
    await page.route(chooserModule, (route) => route.abort('internetdisconnected'))
    await page.getByTestId('connect-wallet').click()
    const missing = page.getByTestId('part-code-missing')
    await missing.waitFor()
    assert.match(await missing.innerText(), /could not be downloaded: check your connection and try again/)
    await assertAccessible(page, 'a part whose code could not be downloaded')
    await page.unroute(chooserModule)
    await missing.getByRole('button', { name: 'Try again' }).click()
    await page.getByTestId('wallet-chooser').waitFor()
    assert.equal(await missing.count(), 0)
    assert.deepEqual(page.pageErrors, [])
    await page.context().close()
  })

  it('falls back to window.ethereum when no wallet announces itself', async () => {
    const page = await openApp(browser, stack, { wallets: [{ announce: false }] })
    await page.getByTestId('connect-wallet').click()
    await page.getByTestId('wallet-account').waitFor()
    assert.equal(await page.getByTestId('wallet-account').getAttribute('title'), DEV_ACCOUNTS[0])
    assert.equal(await page.getByTestId('wallet-chooser').count(), 0)
    assert.deepEqual(page.pageErrors, [])
    await page.context().close()
  })
})
