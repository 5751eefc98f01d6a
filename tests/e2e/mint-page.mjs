// Driving the mint page from tests: open it connected, fill the form, mint,
// and record what the page sent.
import { STORAGE_TOKEN, openApp } from './harness.mjs'

/// Opens the mint page with the wallet connected and `token` saved for
/// `endpoint` (the stack's storage service unless said otherwise).
export async function mintPage (browser, stack, { token = STORAGE_TOKEN, endpoint = stack.storageUrl, viewport } = {}) {
  const page = await openApp(browser, stack, { viewport })
  if (token) await page.evaluate((saved) => localStorage.setItem('minty.api_token', JSON.stringify(saved)), { token, endpoint })
  await page.goto(stack.appUrl + '/mint')
  await page.getByTestId('connect-wallet').click()
  await page.getByTestId('wallet-account').waitFor()
  return page
}

/// Fills the form; `attributes` are `[traitType, value]` rows, each added
/// with "Add attribute".
export async function fillForm (page, { name, description = '', file, owner, externalUrl, attributes = [] }) {
  await page.getByTestId('mint-file').setInputFiles(file)
  await page.getByTestId('mint-name').fill(name)
  await page.getByTestId('mint-description').fill(description)
  if (owner) await page.getByTestId('mint-owner').fill(owner)
  if (externalUrl) await page.getByLabel('External URL (optional)').fill(externalUrl)
  for (const [traitType, value] of attributes) await addAttribute(page, traitType, value)
}

/// Adds an attribute row and types into it through its labels.
export async function addAttribute (page, traitType, value) {
  await page.getByRole('button', { name: 'Add attribute' }).click()
  const row = page.getByTestId('attribute-row').last()
  await row.getByLabel('Trait type').fill(traitType)
  await row.getByLabel('Value').fill(value)
}

/// Mints and waits for the result; returns what the page shows.
export async function mint (page, form) {
  await fillForm(page, form)
  await page.getByTestId('mint-submit').click()
  await page.getByTestId('mint-result').waitFor({ timeout: 60000 })
  return {
    tokenId: Number(await page.getByTestId('minted-token-id').innerText()),
    metadataUri: await page.getByTestId('minted-metadata-uri').innerText(),
    assetUri: await page.getByTestId('minted-asset-uri').innerText()
  }
}

/// Records every request the page makes, with its headers.
export function recordRequests (page) {
  const requests = []
  page.on('request', (request) => requests.push({ url: request.url(), method: request.method(), headers: request.headers() }))
  return requests
}

export const uploads = (requests, stack) => requests.filter((r) => r.method === 'POST' && r.url === `${stack.storageUrl}/upload`)

