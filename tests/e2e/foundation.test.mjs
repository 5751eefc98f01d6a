// The harness proves itself: the app loads against the local stack, and the
// test wallet connects like MetaMask would.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import {
  CHAIN_ID, DESKTOP, DEV_ACCOUNTS, PHONE, assertAccessible, openApp, screenshotPath, openSession, closeSession, takeCspViolations
} from './harness.mjs'

describe('foundation: the app on the local stack', () => {
  let stack
  let browser

  before(async () => ({ stack, browser } = await openSession()))
  after(() => closeSession({ stack, browser }))

  it('loads preconfigured for the local chain, contract, storage and gateway', async () => {
    const page = await openApp(browser, stack)
    await page.getByTestId('config-chain').waitFor()
    assert.match(await page.getByTestId('config-chain').innerText(), new RegExp(String(CHAIN_ID)))
    // anvil's first deployment from its first dev account lands here.
    assert.match(
      (await page.getByTestId('config-contract').innerText()).toLowerCase(),
      /0x5fbdb2315678afecb367f032d93f642f64180aa3/
    )
    assert.match(await page.getByTestId('config-storage-endpoint').innerText(), new RegExp(stack.storageUrl))
    assert.match(await page.getByTestId('config-gateway').innerText(), new RegExp(`${stack.storageUrl}/ipfs/`))
    assert.deepEqual(page.pageErrors, [])
    await page.context().close()
  })

  it('loads a page\'s code when it is first opened: the start page fetches none of the mint page\'s', async () => {
    const page = await openApp(browser, stack)
    const fetched = []
    page.on('response', (response) => {
      if (response.url().endsWith('.wasm')) fetched.push({ name: new URL(response.url()).pathname.split('/').pop(), status: response.status() })
    })
    await page.goto(stack.appUrl + '/')
    await page.getByTestId('config-chain').waitFor()
    const onStart = fetched.map(({ name }) => name)
    assert.ok(onStart.includes('minty_bg.wasm'), onStart.join(', '))
    assert.ok(!onStart.some((name) => name.startsWith('split_')), `the start page fetched ${onStart.join(', ')}`)
    await page.getByRole('link', { name: 'Mint', exact: true }).click()
    await page.getByRole('heading', { name: 'Mint an NFT' }).waitFor()
    const mintModule = fetched.find(({ name }) => name.startsWith('split_load_mint'))
    assert.ok(mintModule, `opening the mint page fetched ${fetched.map(({ name }) => name).join(', ')}`)
    assert.equal(mintModule.status, 200)
    assert.deepEqual(page.pageErrors, [])
    await page.context().close()
  })

  it('says so when a page\'s code cannot be downloaded, and Try again loads it', async () => {
    const page = await openApp(browser, stack)
    await page.getByTestId('config-chain').waitFor()
    const mintModule = '**/split_load_mint*.wasm'
    await page.route(mintModule, (route) => route.abort('internetdisconnected'))
    await page.getByRole('link', { name: 'Mint', exact: true }).click()
    await page.getByTestId('page-code-missing').waitFor()
    assert.match(await page.getByTestId('page-code-missing').innerText(), /could not be downloaded: check your connection and try again/)
    await assertAccessible(page, 'a page whose code could not be downloaded')
    await page.unroute(mintModule)
    await page.getByRole('button', { name: 'Try again' }).click()
    await page.getByRole('heading', { name: 'Mint an NFT' }).waitFor()
    assert.deepEqual(page.pageErrors, [])
    await page.context().close()
  })

  it('runs under its Content-Security-Policy: a script slipped into the page does not run', async () => {
    const response = await fetch(stack.appUrl + '/')
    assert.equal(response.headers.get('referrer-policy'), 'no-referrer')
    assert.equal(response.headers.get('content-security-policy'), "frame-ancestors 'none'")
    const page = await openApp(browser, stack)
    await page.getByTestId('config-chain').waitFor()
    const policy = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content')
    assert.match(policy, /^default-src 'none'; script-src 'self' 'wasm-unsafe-eval' 'sha256-[A-Za-z0-9+/=]+'/)
    assert.doesNotMatch(policy, /unsafe-inline|\{\{/)
    // As if metadata had reached the DOM as HTML: an inline script and a handler.
    await page.evaluate(() => {
      const script = document.createElement('script')
      script.textContent = 'window.__pwned = 1'
      document.body.append(script)
      const image = document.createElement('img')
      image.setAttribute('onerror', 'window.__pwned = 2')
      image.src = 'data:,'
      document.body.append(image)
    })
    await page.waitForFunction(() => document.querySelector('img[onerror]').complete)
    await page.waitForTimeout(200)
    assert.equal(await page.evaluate(() => window.__pwned), undefined)
    const violations = takeCspViolations(page)
    assert.ok(violations.some((violation) => violation.includes('script-src-elem')), violations.join('\n'))
    assert.ok(violations.some((violation) => violation.includes('script-src-attr')), violations.join('\n'))
    assert.deepEqual(page.pageErrors, [])
    await page.context().close()
  })

  it('checks accessibility with axe under the CSP, and names what fails', async () => {
    const page = await openApp(browser, stack)
    await page.getByTestId('config-chain').waitFor()
    await assertAccessible(page, 'home')
    // As if a component had lost its label: a nameless button.
    await page.evaluate(() => document.querySelector('main').append(document.createElement('button')))
    await assert.rejects(assertAccessible(page, 'home with a nameless button'),
      /axe found 1 accessibility violation\(s\) on home with a nameless button .*\n- button-name \(critical\): .*\n +https:\/\/dequeuniversity\.com\/rules\/axe\/4\.\d+\/button-name.*\n +at main > button/)
    assert.deepEqual(page.pageErrors, [], 'axe ran without tripping the Content-Security-Policy')
    await page.context().close()
  })

  it('shows the connected dev account and chain id after "Connect wallet"', async () => {
    for (const [name, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
      const page = await openApp(browser, stack, { viewport })
      await page.getByTestId('connect-wallet').click()
      const account = page.getByTestId('wallet-account')
      await account.waitFor()
      assert.equal((await account.getAttribute('title')).toLowerCase(), DEV_ACCOUNTS[0].toLowerCase())
      assert.match(await account.innerText(), /0xf39F…2266/i)
      assert.match(await page.getByTestId('wallet-chain').innerText(), new RegExp(String(CHAIN_ID)))
      await page.screenshot({ path: screenshotPath(`connected-${name}`), fullPage: true })
      await assertAccessible(page, `home, connected (${name})`)
      assert.deepEqual(page.pageErrors, [])
      await page.context().close()
    }
  })

  it('says the wallet rejected the request when the user refuses to connect', async () => {
    const page = await openApp(browser, stack)
    await page.evaluate(() => window.__testWallet.refuse('eth_requestAccounts'))
    await page.getByTestId('connect-wallet').click()
    await page.getByTestId('wallet-error').waitFor()
    assert.match(await page.getByTestId('wallet-error').innerText(), /rejected/i)
    assert.equal(await page.getByTestId('wallet-account').count(), 0)
    await page.context().close()
  })

  it('follows account and chain changes live, without a reload', async () => {
    const page = await openApp(browser, stack)
    await page.getByTestId('connect-wallet').click()
    await page.getByTestId('wallet-account').waitFor()
    await page.evaluate((account) => window.__testWallet.setAccounts([account]), DEV_ACCOUNTS[1])
    await page.waitForFunction(
      (account) => document.querySelector('[data-testid="wallet-account"]')?.title.toLowerCase() === account,
      DEV_ACCOUNTS[1].toLowerCase()
    )
    await page.evaluate(() => window.__testWallet.switchChain('0xaa36a7'))
    await page.waitForFunction(() => /11155111/.test(document.querySelector('[data-testid="wallet-chain"]')?.textContent))
    assert.match(await page.getByTestId('wallet-chain').innerText(), /Sepolia/)
    await page.context().close()
  })

  it('keeps the connection the user granted across a reload, without asking again', async () => {
    const page = await openApp(browser, stack)
    await page.getByTestId('connect-wallet').click()
    await page.getByTestId('wallet-account').waitFor()
    await page.reload()
    await page.getByTestId('wallet-account').waitFor()
    const asked = await page.evaluate(() => window.__testWallet.requests())
    assert.ok(!asked.includes('eth_requestAccounts'), 'no prompt after the reload')
    await page.context().close()
  })

  it('explains that a wallet is needed when none is installed', async () => {
    const page = await openApp(browser, stack, { wallet: false })
    await page.getByTestId('no-wallet').waitFor()
    const link = page.getByTestId('no-wallet').locator('a[href^="https://metamask.io"]')
    assert.equal(await link.count(), 1)
    await page.screenshot({ path: screenshotPath('no-wallet-desktop') })
    await assertAccessible(page, 'home without a wallet')
    await page.context().close()
  })
})
