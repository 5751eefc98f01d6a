// Minty's `transfer <id> <to>` in the browser: the owner sends a token, the
// page and the galleries show the new owner without a reload, a notice
// follows the transaction across pages, and recipients that would lose the
// token are refused before anything is sent.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { assertAccessible, closeSession, DEV_ACCOUNTS, openApp, openSession, screenshotPath } from './harness.mjs'
import { ownerOf } from './chain.mjs'
import { deployErc20 } from './erc20.mjs'
import { catPng, MINTY, mintWith } from './tokens.mjs'

describe('transfer', () => {
  let stack
  let browser

  before(async () => {
    ({ stack, browser } = await openSession())
  })
  after(() => closeSession({ stack, browser }))

  const mintCat = (name) => mintWith(stack, {
    asset: { name: 'cat.png', bytes: catPng(), type: 'image/png' },
    metadata: (image) => ({ name, image })
  })

  async function ownersTokenPage (id) {
    const page = await openApp(browser, stack, { path: `/token/${id}` })
    await page.getByTestId('connect-wallet').click()
    await page.getByTestId('wallet-account').waitFor()
    await page.getByTestId('transfer-to').waitFor()
    return page
  }

  const sentTransactions = (page) => page.evaluate(() => window.__testWallet.sentHashes().length)

  it('the owner transfers a token; the page, the notice and the galleries show the new owner', async () => {
    const { id } = await mintCat('Passed on')
    const page = await ownersTokenPage(id)
    await page.getByTestId('history-event').first().waitFor()
    await assertAccessible(page, "the owner's token page, with its transfer form")
    await page.getByTestId('transfer-to').fill(DEV_ACCOUNTS[1])
    await page.getByTestId('transfer-submit').click()

    const owner = page.getByTestId('token-owner')
    await owner.filter({ hasText: DEV_ACCOUNTS[1] }).waitFor({ timeout: 30000 })
    assert.equal((await ownerOf(stack.rpcUrl, MINTY, id)).toLowerCase(), DEV_ACCOUNTS[1].toLowerCase())
    // No longer the owner: no transfer form.
    assert.equal(await page.getByTestId('transfer-to').count(), 0)

    // The history: the mint, by the account that sent it, then the transfer.
    const events = page.getByTestId('history-event')
    await events.nth(1).waitFor()
    assert.deepEqual(await events.evaluateAll((all) => all.map((event) => event.dataset.kind)), ['minted', 'transferred'])
    assert.equal(await events.first().getByTestId('history-minter').locator('a').getAttribute('title'), DEV_ACCOUNTS[0])
    assert.match(await events.nth(1).innerText(), /^Transferred from 0xf39F…2266 to 0x7099…79C8\s+Block \d+ · .+ · Transaction\s+0x/)
    assert.equal(await page.getByTestId('history-incomplete').count(), 0)

    const notice = page.getByTestId('transaction-notice').filter({ hasText: `Transfer of token #${id}` })
    await notice.and(page.locator('[data-state="mined"]')).waitFor()
    assert.match(await notice.getByTestId('transaction-notice-text').innerText(), /^Mined\. Block \d+\.$/)
    assert.match(await notice.getByTestId('transaction-notice-hash').innerText(), /^0x[0-9a-f]{64}$/)
    // A local chain has no explorer to link to.
    assert.equal(await notice.getByTestId('transaction-notice-explorer').count(), 0)
    await page.screenshot({ path: screenshotPath('token-transferred'), fullPage: true })
    await assertAccessible(page, 'a transferred token, with its notice and history')

    // The notice stays across pages until dismissed; the galleries agree.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Tokens', exact: true }).click()
    const card = page.locator(`[data-testid="token-card"][data-token-id="${id}"]`)
    await card.waitFor()
    assert.equal(await card.getByTestId('token-card-owner').getAttribute('title'), DEV_ACCOUNTS[1])
    assert.equal(await notice.count(), 1)
    await assertAccessible(page, '/tokens with a transaction notice')
    await notice.getByRole('button', { name: 'Dismiss this notice' }).click()
    assert.equal(await notice.count(), 0)
    await page.goto(`${stack.appUrl}/owner/${DEV_ACCOUNTS[1]}`)
    await page.locator(`[data-testid="token-card"][data-token-id="${id}"]`).waitFor()
    assert.deepEqual(page.pageErrors, [])
    await page.context().close()
  })

  it('refuses the zero address, the contract itself and a mistyped checksum before anything is sent', async () => {
    const { id } = await mintCat('Kept')
    const page = await ownersTokenPage(id)
    const typo = DEV_ACCOUNTS[1].replace('C', 'c')
    for (const [recipient, refusal] of [
      ['0x0000000000000000000000000000000000000000', /zero address cannot receive a token/],
      [MINTY, /Minty contract itself/],
      [typo, /wrong EIP-55 checksum/],
      [DEV_ACCOUNTS[0], /owns the token already/],
      ['', /Enter the address/]
    ]) {
      await page.getByTestId('transfer-to').fill(recipient)
      await page.getByTestId('transfer-submit').click()
      assert.match(await page.getByTestId('transfer-error').innerText(), refusal)
    }
    await assertAccessible(page, 'the transfer form refusing a recipient')
    assert.equal(await sentTransactions(page), 0)
    assert.equal(await page.getByTestId('transaction-notice').count(), 0)
    assert.equal((await ownerOf(stack.rpcUrl, MINTY, id)).toLowerCase(), DEV_ACCOUNTS[0].toLowerCase())
    assert.deepEqual(page.pageErrors, [])
    await page.context().close()
  })

  it('warns about a contract recipient, and shows the decoded revert of one that refuses the token', async () => {
    const { id } = await mintCat('Not for a token contract')
    const erc20 = await deployErc20(stack.rpcUrl)
    const page = await ownersTokenPage(id)
    await page.getByTestId('transfer-to').fill(erc20)
    await page.getByTestId('transfer-submit').click()
    assert.match(await page.getByTestId('transfer-contract-warning').innerText(), /is a contract, not a person's account/)
    assert.equal(await page.getByTestId('transfer-submit').innerText(), 'Transfer to the contract')
    await assertAccessible(page, 'the transfer form warning about a contract')
    await page.getByTestId('transfer-submit').click()
    const refusal = await page.getByTestId('transfer-error').innerText()
    assert.match(refusal, /would fail, so nothing was sent/)
    assert.match(refusal, /is a contract that cannot receive ERC-721 tokens/)
    assert.equal(await sentTransactions(page), 0)
    assert.equal((await ownerOf(stack.rpcUrl, MINTY, id)).toLowerCase(), DEV_ACCOUNTS[0].toLowerCase())
    await page.screenshot({ path: screenshotPath('token-transfer-refused'), fullPage: true })
    await assertAccessible(page, 'the transfer refused by the recipient contract')
    assert.deepEqual(page.pageErrors, [])
    await page.context().close()
  })
})
