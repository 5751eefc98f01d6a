// Mints that are never lost or doubled: what happens after the wallet has
// sent the transaction (sped up, cancelled, a node that fails to answer),
// and when the wallet or the page changes under a running mint.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import path from 'node:path'
import { DEV_ACCOUNTS, CHAIN_ID_HEX, assertAccessible, openSession, closeSession, ports, repoRoot, screenshotPath } from './harness.mjs'
import { ownerOf, rpc, totalSupply } from './chain.mjs'
import { gradientPng } from './media.mjs'
import { MINTY } from './tokens.mjs'
import { deployErc20 } from './erc20.mjs'
import { fillForm, mintPage, recordRequests, uploads } from './mint-page.mjs'

const png = (name, size = 8) => ({ name, mimeType: 'image/png', buffer: gradientPng(size) })
const walletRequests = (page) => page.evaluate(() => window.__testWallet.requests())

/// Holds the page's first upload until `release()`, so a test can change
/// the wallet while a mint is between its start and its transaction.
async function holdFirstUpload (page, stack) {
  let reached
  let release
  const arrived = new Promise((resolve) => { reached = resolve })
  const released = new Promise((resolve) => { release = resolve })
  let posts = 0
  await page.route(`${stack.storageUrl}/upload`, async (route) => {
    if (route.request().method() === 'POST' && ++posts === 1) {
      reached()
      await released
    }
    await route.continue()
  })
  return { arrived, release }
}

/// Runs `body` with anvil mining only when told (evm_mine), so a sent
/// transaction stays pending as it would on a busy network.
async function withManualMining (stack, body) {
  await rpc(stack.rpcUrl, 'evm_setAutomine', [false])
  try {
    return await body()
  } finally {
    await rpc(stack.rpcUrl, 'evm_setAutomine', [true])
  }
}

/// Waits until the page has asked the node about its sent transaction, so
/// it has seen the nonce it must watch.
async function pageHasSeenItsTransaction (page) {
  await page.getByTestId('mint-transaction').waitFor({ timeout: 60000 })
  await page.waitForFunction(() => window.__testWallet.requests().includes('eth_getTransactionByHash'))
}

describe('a sent mint is never lost or doubled', () => {
  let stack
  let browser

  before(async () => ({ stack, browser } = await openSession()))
  after(() => closeSession({ stack, browser }))

  it('Speed up in the wallet: the page reports the token the replacement minted', async () => {
    const page = await mintPage(browser, stack)
    const supply = await totalSupply(stack.rpcUrl, MINTY)
    const replacement = await withManualMining(stack, async () => {
      await fillForm(page, { name: 'Hurried', file: png('hurried.png') })
      await page.getByTestId('mint-submit').click()
      await pageHasSeenItsTransaction(page)
      const hash = await page.evaluate(() => window.__testWallet.speedUp())
      await rpc(stack.rpcUrl, 'evm_mine')
      return hash
    })
    await page.getByTestId('mint-result').waitFor({ timeout: 60000 })
    const tokenId = Number(await page.getByTestId('minted-token-id').innerText())
    assert.equal(await totalSupply(stack.rpcUrl, MINTY), supply + 1, 'exactly one token')
    assert.equal(tokenId, supply + 1)
    assert.equal((await ownerOf(stack.rpcUrl, MINTY, tokenId)).toLowerCase(), DEV_ACCOUNTS[0].toLowerCase())
    assert.equal((await page.getByTestId('minted-transaction').innerText()).toLowerCase(), replacement.toLowerCase())
    assert.equal(await page.getByTestId('mint-error').count(), 0)
    await page.context().close()
  })

  it('Cancel in the wallet: the page says the mint was cancelled, naming the transaction', async () => {
    const page = await mintPage(browser, stack)
    const supply = await totalSupply(stack.rpcUrl, MINTY)
    const original = await withManualMining(stack, async () => {
      await fillForm(page, { name: 'Regretted', file: png('regretted.png') })
      await page.getByTestId('mint-submit').click()
      await pageHasSeenItsTransaction(page)
      const hash = await page.getByTestId('mint-transaction-hash').innerText()
      await page.evaluate(() => window.__testWallet.cancel())
      await rpc(stack.rpcUrl, 'evm_mine')
      return hash
    })
    await page.getByTestId('mint-error').waitFor({ timeout: 60000 })
    const text = await page.getByTestId('mint-error').innerText()
    assert.match(text, /cancelled in your wallet/)
    assert.ok(text.includes(original), `the message names ${original}: ${text}`)
    assert.equal(await totalSupply(stack.rpcUrl, MINTY), supply)
    await page.context().close()
  })

  it('a node that fails to answer after the send: status unknown, still watched, then the token', async () => {
    const page = await mintPage(browser, stack)
    const supply = await totalSupply(stack.rpcUrl, MINTY)
    // A rate-limited node (-32005) for the first three receipt polls.
    await page.evaluate(() => window.__testWallet.failNext('eth_getTransactionReceipt', 3))
    await fillForm(page, { name: 'Patient', file: png('patient.png') })
    await page.getByTestId('mint-submit').click()
    await page.locator('[data-testid="mint-transaction"][data-unknown="true"]').waitFor({ timeout: 60000 })
    const note = await page.getByTestId('mint-transaction-note').innerText()
    assert.match(note, /status is unknown/)
    assert.match(note, /do not send it again/)
    const hash = await page.getByTestId('mint-transaction-hash').innerText()
    assert.match(hash, /^0x[0-9a-f]{64}$/)
    await page.screenshot({ path: screenshotPath('mint-status-unknown'), fullPage: true })
    await assertAccessible(page, 'a mint whose status is unknown')
    await page.getByTestId('mint-result').waitFor({ timeout: 60000 })
    assert.equal(await page.getByTestId('minted-transaction').innerText(), hash)
    assert.equal(await totalSupply(stack.rpcUrl, MINTY), supply + 1)
    const sends = (await walletRequests(page)).filter((method) => method === 'eth_sendTransaction')
    assert.equal(sends.length, 1, 'sent once')
    await page.context().close()
  })

  it('switching chains mid-mint stops before sending, and says so', async () => {
    const page = await mintPage(browser, stack)
    const supply = await totalSupply(stack.rpcUrl, MINTY)
    const held = await holdFirstUpload(page, stack)
    await fillForm(page, { name: 'Elsewhere', file: png('elsewhere.png') })
    await page.getByTestId('mint-submit').click()
    await held.arrived
    // Another chain, served by the same node, as a user's testnet might be.
    await page.evaluate((url) => { window.__testWallet.addChain('0x7a6a', url); window.__testWallet.switchChain('0x7a6a') }, stack.rpcUrl)
    held.release()
    await page.getByTestId('mint-error').waitFor({ timeout: 60000 })
    assert.match(await page.getByTestId('mint-error').innerText(), /switched to .*31338.* after this started on .*31337|switch back/i)
    assert.match(await page.getByTestId('mint-error').innerText(), /No transaction was sent/)
    assert.ok(!(await walletRequests(page)).includes('eth_sendTransaction'), 'nothing was sent')
    assert.equal(await totalSupply(stack.rpcUrl, MINTY), supply)
    await page.context().close()
  })

  it('switching accounts mid-mint stops before sending, and says so', async () => {
    const page = await mintPage(browser, stack)
    const held = await holdFirstUpload(page, stack)
    await fillForm(page, { name: 'Someone else', file: png('someone.png') })
    await page.getByTestId('mint-submit').click()
    await held.arrived
    await page.evaluate((account) => window.__testWallet.setAccounts([account]), DEV_ACCOUNTS[1])
    held.release()
    await page.getByTestId('mint-error').waitFor({ timeout: 60000 })
    assert.match(await page.getByTestId('mint-error').innerText(), /account changed to .* after this started with/i)
    assert.ok(!(await walletRequests(page)).includes('eth_sendTransaction'), 'nothing was sent')
    await page.context().close()
  })

  it('the transaction carries the chain id it was meant for', async () => {
    const page = await mintPage(browser, stack)
    await fillForm(page, { name: 'Addressed', file: png('addressed.png') })
    await page.getByTestId('mint-submit').click()
    await page.getByTestId('mint-result').waitFor({ timeout: 60000 })
    const calls = await page.evaluate(() => window.__testWallet.calls())
    const send = calls.find((call) => call.method === 'eth_sendTransaction')
    assert.equal(send.params[0].chainId, CHAIN_ID_HEX)
    await page.context().close()
  })

  it('repeated wallet events and a visit to another page lose nothing of a running mint', async () => {
    const page = await mintPage(browser, stack)
    const supply = await totalSupply(stack.rpcUrl, MINTY)
    const held = await holdFirstUpload(page, stack)
    await fillForm(page, { name: 'Steadfast', file: png('steadfast.png') })
    await page.getByTestId('mint-submit').click()
    await held.arrived
    // MetaMask repeats accountsChanged and chainChanged with the same values.
    await page.evaluate(() => window.__testWallet.repeatEvents())
    await page.getByRole('navigation').getByRole('link', { name: 'Settings', exact: true }).click()
    await page.waitForURL('**/settings')
    held.release()
    await page.getByRole('navigation').getByRole('link', { name: 'Mint', exact: true }).click()
    await page.getByTestId('mint-result').waitFor({ timeout: 60000 })
    assert.equal(Number(await page.getByTestId('minted-token-id').innerText()), supply + 1)
    assert.equal(await totalSupply(stack.rpcUrl, MINTY), supply + 1)
    await page.context().close()
  })

  it('closing the tab while a mint runs asks first', async () => {
    const page = await mintPage(browser, stack)
    const held = await holdFirstUpload(page, stack)
    await fillForm(page, { name: 'Unfinished', file: png('unfinished.png') })
    await page.getByTestId('mint-submit').click()
    await held.arrived
    const dialog = new Promise((resolve) => {
      page.once('dialog', async (shown) => { await shown.dismiss(); resolve(shown.type()) })
      setTimeout(() => resolve('no dialog within 10 s'), 10000)
    })
    await page.close({ runBeforeUnload: true })
    assert.equal(await dialog, 'beforeunload')
    assert.ok(!page.isClosed(), 'the user chose to stay')
    held.release()
    await page.getByTestId('mint-result').waitFor({ timeout: 60000 })
    await page.context().close()
  })

  it('a contract that is not ERC-721 is refused before anything is uploaded or sent', async () => {
    const coin = await deployErc20(stack.rpcUrl)
    const page = await mintPage(browser, stack)
    const requests = recordRequests(page)
    await page.evaluate((address) => localStorage.setItem('minty.contracts', JSON.stringify({ 31337: address })), coin)
    await page.reload()
    await page.getByTestId('mint-form').waitFor()
    await fillForm(page, { name: 'Wrong place', file: png('wrong.png') })
    await page.getByTestId('mint-submit').click()
    await page.getByTestId('mint-error').waitFor({ timeout: 60000 })
    assert.match(await page.getByTestId('mint-error').innerText(), /not an ERC-721/)
    assert.equal(uploads(requests, stack).length, 0, 'nothing uploaded')
    assert.ok(!(await walletRequests(page)).includes('eth_sendTransaction'), 'nothing was sent')
    await page.context().close()
  })

  it('a reload after the upload resumes without uploading again, and mints exactly one token', async () => {
    const page = await mintPage(browser, stack)
    const supply = await totalSupply(stack.rpcUrl, MINTY)
    const requests = recordRequests(page)
    // The wallet's prompt stays open, and the creator reloads the page.
    await page.evaluate(() => window.__testWallet.holdNext('eth_sendTransaction'))
    await fillForm(page, { name: 'Reloaded before sending', file: png('reload-upload.png') })
    await page.getByTestId('mint-submit').click()
    await page.waitForFunction(() => window.__testWallet.requests().includes('eth_sendTransaction'), null, { timeout: 60000 })
    const uploadsBefore = uploads(requests, stack).length
    page.on('dialog', (dialog) => dialog.accept())
    await page.reload()
    await page.getByTestId('waiting-mint').waitFor({ timeout: 60000 })
    assert.match(await page.getByTestId('waiting-mint').innerText(), /Reloaded before sending.*uploaded but not minted/s)
    await assertAccessible(page, 'a mint waiting to be continued after a reload')
    await page.getByTestId('waiting-mint-continue').click()
    await page.getByTestId('mint-result').waitFor({ timeout: 60000 })
    assert.equal(uploads(requests, stack).length, uploadsBefore, 'nothing uploaded again')
    assert.equal(await totalSupply(stack.rpcUrl, MINTY), supply + 1, 'exactly one token')
    assert.equal(await page.getByTestId('waiting-mint').count(), 0)
    await page.context().close()
  })

  it('a reload after the send watches the same transaction, never sends again, and shows the token', async () => {
    const page = await mintPage(browser, stack)
    const supply = await totalSupply(stack.rpcUrl, MINTY)
    await withManualMining(stack, async () => {
      await fillForm(page, { name: 'Reloaded after sending', file: png('reload-send.png') })
      await page.getByTestId('mint-submit').click()
      await pageHasSeenItsTransaction(page)
      const hash = await page.getByTestId('mint-transaction-hash').innerText()
      page.on('dialog', (dialog) => dialog.accept())
      await page.reload()
      await page.getByTestId('mint-transaction').waitFor({ timeout: 60000 })
      assert.equal(await page.getByTestId('mint-transaction-hash').innerText(), hash)
      await rpc(stack.rpcUrl, 'evm_mine')
    })
    await page.getByTestId('mint-result').waitFor({ timeout: 60000 })
    assert.ok(!(await walletRequests(page)).includes('eth_sendTransaction'), 'not sent again after the reload')
    assert.equal(await totalSupply(stack.rpcUrl, MINTY), supply + 1, 'exactly one token')
    await page.context().close()
  })

  it('pressing Mint again on a minted file asks before minting another copy', async () => {
    const page = await mintPage(browser, stack)
    const supply = await totalSupply(stack.rpcUrl, MINTY)
    await fillForm(page, { name: 'Twice', file: png('twice.png') })
    await page.getByTestId('mint-submit').click()
    await page.getByTestId('mint-result').waitFor({ timeout: 60000 })
    const first = Number(await page.getByTestId('minted-token-id').innerText())
    await page.getByTestId('mint-submit').click()
    await page.getByTestId('mint-another-copy').waitFor({ timeout: 60000 })
    assert.match(await page.getByTestId('mint-error').innerText(), new RegExp(`already minted as token #${first}.*Mint another copy\\?`))
    await assertAccessible(page, 'the mint page asking before another copy')
    assert.equal(await totalSupply(stack.rpcUrl, MINTY), supply + 1, 'no copy without asking')
    await page.getByTestId('mint-another-copy').click()
    await page.getByTestId('mint-result').waitFor({ timeout: 60000 })
    assert.equal(Number(await page.getByTestId('minted-token-id').innerText()), first + 1)
    assert.equal(await totalSupply(stack.rpcUrl, MINTY), supply + 2)
    await page.context().close()
  })

  describe('a deploy lives as long as the app, not its panel', () => {
    let deployChain
    const DEPLOY_CHAIN_ID = '0x7a6b' // 31339, with no Minty on it
    const deployRpc = `http://127.0.0.1:${ports.anvil + 2}`

    before(async () => {
      deployChain = spawn(path.join(repoRoot, 'node_modules/.bin/anvil'),
        ['--host', '127.0.0.1', '--port', String(ports.anvil + 2), '--chain-id', '31339'], { stdio: 'ignore' })
      for (let i = 0; i < 100; i++) {
        try { await rpc(deployRpc, 'eth_chainId'); return } catch { await new Promise((resolve) => setTimeout(resolve, 100)) }
      }
      throw new Error('the deploy chain did not start')
    })

    after(() => deployChain?.kill())

    /// A mint page on the deploy chain, its deploy form filled in.
    async function deployPage (name) {
      const page = await mintPage(browser, stack)
      await page.evaluate(({ id, url }) => { window.__testWallet.addChain(id, url); window.__testWallet.switchChain(id) }, { id: DEPLOY_CHAIN_ID, url: deployRpc })
      await page.getByTestId('deploy-panel').waitFor()
      await page.getByTestId('deploy-name').fill(name)
      await page.getByTestId('deploy-symbol').fill('KEEP')
      return page
    }

    const savedContract = async (page) =>
      JSON.parse(await page.evaluate(() => localStorage.getItem('minty.contracts')) || '{}')['31339']

    /// Waits until the wallet has sent the deploy and the page is watching it.
    async function deployIsWatched (page) {
      await page.waitForFunction(() => window.__testWallet.sentHashes().length === 1, null, { timeout: 60000 })
      await page.waitForFunction(() => window.__testWallet.requests().includes('eth_getTransactionByHash'), null, { timeout: 60000 })
    }

    const sends = async (page) => (await walletRequests(page)).filter((method) => method === 'eth_sendTransaction').length

    it('a visit to another page and repeated wallet events mid-deploy lose nothing: the contract is remembered once mined', async () => {
      const page = await deployPage('Kept')
      const hash = await withManualMining({ rpcUrl: deployRpc }, async () => {
        await page.getByTestId('deploy-submit').click()
        await deployIsWatched(page)
        await page.evaluate(() => window.__testWallet.repeatEvents())
        await page.getByRole('navigation').getByRole('link', { name: 'Settings', exact: true }).click()
        await page.waitForURL('**/settings')
        await rpc(deployRpc, 'evm_mine')
        return (await page.evaluate(() => window.__testWallet.sentHashes()))[0]
      })
      const receipt = await rpc(deployRpc, 'eth_getTransactionReceipt', [hash])
      await page.waitForFunction(() => JSON.parse(localStorage.getItem('minty.contracts') || '{}')['31339'], null, { timeout: 60000 })
      assert.equal((await savedContract(page)).toLowerCase(), receipt.contractAddress.toLowerCase())
      await page.getByRole('navigation').getByRole('link', { name: 'Mint', exact: true }).click()
      await page.getByTestId('mint-form').waitFor({ timeout: 60000 })
      assert.equal(await sends(page), 1, 'deployed once')
      await page.context().close()
    })

    it('Speed up of a deploy in the wallet: the contract at the same address is adopted', async () => {
      const page = await deployPage('Hurried')
      const replacement = await withManualMining({ rpcUrl: deployRpc }, async () => {
        await page.getByTestId('deploy-submit').click()
        await deployIsWatched(page)
        const hash = await page.evaluate(() => window.__testWallet.speedUp())
        await rpc(deployRpc, 'evm_mine')
        return hash
      })
      await page.getByTestId('mint-form').waitFor({ timeout: 60000 })
      const receipt = await rpc(deployRpc, 'eth_getTransactionReceipt', [replacement])
      assert.equal((await savedContract(page)).toLowerCase(), receipt.contractAddress.toLowerCase())
      assert.equal(await page.getByTestId('deploy-error').count(), 0)
      await page.context().close()
    })

    it('closing the tab while a deploy is pending asks first, and staying keeps it', async () => {
      const page = await deployPage('Unfinished')
      await withManualMining({ rpcUrl: deployRpc }, async () => {
        await page.getByTestId('deploy-submit').click()
        await deployIsWatched(page)
        const dialog = new Promise((resolve) => {
          page.once('dialog', async (shown) => { await shown.dismiss(); resolve(shown.type()) })
          setTimeout(() => resolve('no dialog within 10 s'), 10000)
        })
        await page.close({ runBeforeUnload: true })
        assert.equal(await dialog, 'beforeunload')
        assert.ok(!page.isClosed(), 'the user chose to stay')
        await rpc(deployRpc, 'evm_mine')
      })
      await page.getByTestId('mint-form').waitFor({ timeout: 60000 })
      assert.ok(await savedContract(page))
      await page.context().close()
    })
  })
})
