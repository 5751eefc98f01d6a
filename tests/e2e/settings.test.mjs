// Settings stories: a creator saves a token, an endpoint, a gateway and a
// contract in this browser; a refused value explains itself and changes
// nothing; a wallet on the wrong chain is switched back to Minty's.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import {
  CHAIN_ID, CHAIN_ID_HEX, DESKTOP, PHONE, assertAccessible, openApp, screenshotPath, openSession, closeSession
} from './harness.mjs'

const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.test-secret.Zx9Q'
const SEPOLIA = '11155111'
const SEPOLIA_HEX = '0xaa36a7'
// Any checksummed address works: settings never call the contract.
const SEPOLIA_CONTRACT = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'

const saved = (page, key) => page.evaluate((key) => localStorage.getItem(key), key)
// The message under one field (several fields may show one at once).
const errorOf = (page, inputTestId) =>
  page.locator('.field', { has: page.getByTestId(inputTestId) }).getByTestId('settings-error')

// Follows a link in the header's navigation, as a user would.
const navigate = (page, name) =>
  page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name }).click()

let stack
let browser

before(async () => ({ stack, browser } = await openSession()))
after(() => closeSession({ stack, browser }))

describe('settings: saved in this browser, checked before they are kept', () => {
  it('keeps the API token masked, across a reload, until it is forgotten', async () => {
    const page = await openApp(browser, stack, { path: '/settings' })
    await page.getByTestId('save-api-token').click()
    assert.match(await errorOf(page, 'api-token-input').innerText(), /token is empty/i)
    await assertAccessible(page, 'settings refusing an empty token')

    await page.getByTestId('api-token-input').fill(TOKEN)
    await page.getByTestId('save-api-token').click()
    assert.equal(await page.getByTestId('api-token-masked').innerText(), 'eyJh••••••••x9Q')
    // The secret is stored, and gone from the page.
    // Stored with the origin it may be sent to.
    assert.deepEqual(JSON.parse(await saved(page, 'minty.token.nft-storage')), { token: TOKEN, endpoint: stack.storageUrl })
    assert.match(await page.getByTestId('api-token-endpoint').innerText(), new RegExp(stack.storageUrl))
    assert.equal(await page.getByTestId('api-token-input').inputValue(), '')
    assert.ok(!(await page.content()).includes('test-secret'))

    await page.reload()
    assert.equal(await page.getByTestId('api-token-masked').innerText(), 'eyJh••••••••x9Q')

    await page.getByTestId('forget-api-token').click()
    await page.getByTestId('api-token-masked').waitFor({ state: 'detached' })
    assert.equal(await saved(page, 'minty.token.nft-storage'), null)
    await page.reload()
    await page.getByTestId('api-token-input').waitFor()
    assert.equal(await page.getByTestId('api-token-masked').count(), 0)
    assert.deepEqual(page.pageErrors, [])
    await page.context().close()
  })

  it('refuses an endpoint or gateway that is not an http(s) URL, keeping what was typed and what was saved', async () => {
    const page = await openApp(browser, stack, { path: '/settings' })
    const endpoint = page.getByTestId('storage-endpoint-input')
    assert.equal(await endpoint.inputValue(), stack.storageUrl)
    assert.match(await page.getByTestId('classic-notice').innerText(), /stopped taking uploads on 2024-06-30/)
    assert.ok(await page.getByTestId('classic-notice').isVisible())

    await endpoint.fill('api.nft.storage')
    await page.getByTestId('save-storage-endpoint').click()
    assert.match(
      await errorOf(page, 'storage-endpoint-input').innerText(),
      /storage endpoint is not an http\(s\) URL: "api\.nft\.storage"/
    )
    assert.equal(await endpoint.inputValue(), 'api.nft.storage')
    assert.equal(await saved(page, 'minty.storage_endpoint'), null)

    await page.getByTestId('gateway-input').fill('ftp://127.0.0.1/ipfs/')
    await page.getByTestId('save-gateway').click()
    assert.match(await errorOf(page, 'gateway-input').innerText(), /gateway is not an http\(s\) URL/)
    // Each message stays with its own field.
    assert.equal(await page.getByTestId('settings-error').count(), 2)
    assert.equal(await saved(page, 'minty.gateway'), null)
    await page.screenshot({ path: screenshotPath('settings-refused-desktop'), fullPage: true })
    await assertAccessible(page, 'settings refusing an endpoint and a gateway')

    // The rest of the app still uses the values in effect.
    await navigate(page, 'Home')
    assert.equal(await page.getByTestId('config-storage-endpoint').innerText(), stack.storageUrl)
    assert.equal(await page.getByTestId('config-gateway').innerText(), `${stack.storageUrl}/ipfs/`)
    assert.deepEqual(page.pageErrors, [])
    await page.context().close()
  })

  it('saves a gateway with one trailing slash, shows it everywhere at once, and resets it', async () => {
    const page = await openApp(browser, stack, { path: '/settings' })
    const gateway = page.getByTestId('gateway-input')
    await gateway.fill('http://127.0.0.1:9999/ipfs')
    await gateway.press('Enter')
    await page.waitForFunction(() => localStorage.getItem('minty.gateway') === 'http://127.0.0.1:9999/ipfs/')
    assert.equal(await gateway.inputValue(), 'http://127.0.0.1:9999/ipfs/')

    await navigate(page, 'Home')
    assert.equal(await page.getByTestId('config-gateway').innerText(), 'http://127.0.0.1:9999/ipfs/')
    await page.reload()
    assert.equal(await page.getByTestId('config-gateway').innerText(), 'http://127.0.0.1:9999/ipfs/')

    await navigate(page, 'Settings')
    await page.getByTestId('gateway-input').locator('xpath=..').getByRole('button', { name: 'Reset' }).click()
    assert.equal(await gateway.inputValue(), `${stack.storageUrl}/ipfs/`)
    assert.equal(await saved(page, 'minty.gateway'), null)
    await page.context().close()
  })

  it('saves a contract for a chain, refuses a bad checksum, and removes it', async () => {
    const page = await openApp(browser, stack, { path: '/settings' })
    const entry = (chainId) => page.locator(`[data-testid="contract-entry"][data-chain-id="${chainId}"]`)
    assert.match(await entry(CHAIN_ID).innerText(), /0x5FbDB2315678afecb367f032d93F642f64180aa3/)

    await page.getByTestId('contract-chain-input').fill(SEPOLIA)
    const address = page.getByTestId('contract-address-input')
    const wrongCase = SEPOLIA_CONTRACT.replace('C51812dc', 'c51812DC')
    await address.fill(wrongCase)
    await page.getByTestId('save-contract').click()
    assert.match(await errorOf(page, 'contract-address-input').innerText(), /checksum/)
    assert.equal(await address.inputValue(), wrongCase)
    assert.equal(await entry(SEPOLIA).count(), 0)

    await address.fill(SEPOLIA_CONTRACT)
    await page.getByTestId('save-contract').click()
    assert.match(await entry(SEPOLIA).innerText(), /Sepolia · 11155111/)
    assert.match(await entry(SEPOLIA).innerText(), new RegExp(SEPOLIA_CONTRACT))
    await page.reload()
    assert.match(await entry(SEPOLIA).innerText(), new RegExp(SEPOLIA_CONTRACT))
    // The preset contract is still there.
    assert.equal(await entry(CHAIN_ID).count(), 1)
    for (const [name, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
      await page.setViewportSize(viewport)
      await page.getByTestId('api-token-input').fill(TOKEN)
      await page.getByTestId('save-api-token').click()
      await page.getByTestId('api-token-masked').waitFor()
      await page.screenshot({ path: screenshotPath(`settings-${name}`), fullPage: true })
      await assertAccessible(page, `settings with a token and two contracts (${name})`)
    }

    await entry(SEPOLIA).getByTestId('remove-contract').click()
    await entry(SEPOLIA).waitFor({ state: 'detached' })
    assert.equal(await saved(page, 'minty.contracts'), null)
    assert.deepEqual(page.pageErrors, [])
    await page.context().close()
  })
})

describe('network guard: a wallet on the wrong chain is sent back to Minty\'s', () => {
  async function connectedOn (chainHex, { forgetAnvil = false, viewport = DESKTOP } = {}) {
    const page = await openApp(browser, stack, { viewport })
    await page.getByTestId('connect-wallet').click()
    await page.getByTestId('wallet-chain').waitFor()
    assert.equal(await page.getByTestId('network-guard').count(), 0)
    await page.evaluate(({ chainHex, rpcUrl, forgetAnvil, anvil }) => {
      window.__testWallet.addChain(chainHex, rpcUrl)
      window.__testWallet.switchChain(chainHex)
      if (forgetAnvil) window.__testWallet.forgetChain(anvil)
    }, { chainHex, rpcUrl: stack.rpcUrl, forgetAnvil, anvil: CHAIN_ID_HEX })
    await page.getByTestId('network-guard').waitFor()
    return page
  }

  async function switchedBack (page) {
    await page.getByTestId('switch-network').click()
    await page.waitForFunction(
      (id) => document.querySelector('[data-testid="wallet-chain"]')?.textContent.includes(id),
      String(CHAIN_ID)
    )
    await page.getByTestId('network-guard').waitFor({ state: 'detached' })
    return page.evaluate(() => window.__testWallet.calls())
  }

  it('switches a wallet that knows the expected chain', async () => {
    const page = await connectedOn('0x539')
    assert.equal(
      await page.getByTestId('network-guard').locator('.guard-message').innerText(),
      'Minty is on Anvil (local) · 31337 but your wallet is on Chain 1337.'
    )
    await page.screenshot({ path: screenshotPath('network-guard-desktop'), fullPage: true })
    await assertAccessible(page, 'the network guard')
    const calls = await switchedBack(page)
    const switches = calls.filter((call) => call.method === 'wallet_switchEthereumChain')
    assert.deepEqual(switches.map((call) => call.params), [[{ chainId: CHAIN_ID_HEX }]])
    assert.ok(!calls.some((call) => call.method === 'wallet_addEthereumChain'))
    assert.deepEqual(page.pageErrors, [])
    await page.context().close()
  })

  it('adds the chain with the RPC URL from the settings when the wallet does not know it (4902)', async () => {
    const page = await connectedOn(SEPOLIA_HEX, { forgetAnvil: true, viewport: PHONE })
    assert.match(await page.getByTestId('network-guard').innerText(), /your wallet is on Sepolia · 11155111/)
    await page.screenshot({ path: screenshotPath('network-guard-phone'), fullPage: true })
    await assertAccessible(page, 'the network guard (phone)')
    const calls = await switchedBack(page)
    const methods = calls.map((call) => call.method)
    const addAt = methods.indexOf('wallet_addEthereumChain')
    assert.ok(addAt >= 0, `no wallet_addEthereumChain in ${methods}`)
    // The refused switch came first; adding the chain switched to it.
    assert.ok(methods.indexOf('wallet_switchEthereumChain') < addAt)
    assert.deepEqual(calls[addAt].params, [{
      chainId: CHAIN_ID_HEX,
      chainName: 'Anvil (local)',
      rpcUrls: [stack.rpcUrl],
      nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 }
    }])
    assert.deepEqual(page.pageErrors, [])
    await page.context().close()
  })

  it('says so when the user rejects the switch, and lets them try again', async () => {
    const page = await connectedOn('0x539')
    await page.evaluate(() => window.__testWallet.refuse('wallet_switchEthereumChain'))
    await page.getByTestId('switch-network').click()
    assert.match(await page.getByTestId('network-error').innerText(), /rejected/i)
    assert.match(await page.getByTestId('wallet-chain').innerText(), /Chain 1337/)

    await page.evaluate(() => window.__testWallet.allow('wallet_switchEthereumChain'))
    await switchedBack(page)
    assert.equal(await page.getByTestId('network-error').count(), 0)
    await page.context().close()
  })

  it('stays away while Minty has a contract on the wallet\'s chain', async () => {
    const page = await openApp(browser, stack, { path: '/settings' })
    await page.getByTestId('contract-chain-input').fill('1337')
    await page.getByTestId('contract-address-input').fill(SEPOLIA_CONTRACT)
    await page.getByTestId('save-contract').click()
    await page.locator('[data-testid="contract-entry"][data-chain-id="1337"]').waitFor()
    await navigate(page, 'Home')
    await page.getByTestId('connect-wallet').click()
    await page.getByTestId('wallet-chain').waitFor()
    await page.evaluate(() => window.__testWallet.switchChain('0x539'))
    await page.waitForFunction(() => /Chain 1337/.test(document.querySelector('[data-testid="wallet-chain"]')?.textContent))
    // Give the page a moment in which a wrong guard would appear.
    await page.waitForTimeout(300)
    assert.equal(await page.getByTestId('network-guard').count(), 0)
    await page.context().close()
  })
})
