// `npm run bench:app`: what a visitor downloads and waits for.
//   - first-load transfer of the release build: the wasm and JS the browser
//     fetches to show the start page (gzip -9), beside what opening the mint
//     page adds, what a first visit straight to a token's page fetches, and
//     the whole app, every split module included
//   - time to first render in headless Chromium (median of 5 cold loads)
//   - time from "Mint" to the token id shown, for a 1 MiB file, on the
//     local stack, release build (median of 3)
//   - the first gallery page of 50 out of 1,000 tokens, with no wallet:
//     HTTP round trips to the RPC URL, the JSON-RPC calls they carried (the
//     round trips the page would take with every call made alone), and the
//     time until its 50 cards are shown (median of 3)
// Everything runs on loopback.
import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync, statSync, createReadStream, existsSync } from 'node:fs'
import http from 'node:http'
import path from 'node:path'
import { gzipSync } from 'node:zlib'
import { DEV_ACCOUNTS, launchBrowser, openApp, repoRoot, startStack, STORAGE_TOKEN } from '../e2e/harness.mjs'
import { mintToken, upload } from '../e2e/tokens.mjs'

const distDir = path.join(repoRoot, 'target/bench/dist')
const env = { ...process.env, PATH: `${path.join(repoRoot, 'node_modules/.bin')}:${process.env.HOME}/.cargo/bin:${process.env.PATH}` }
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]
const step = (message) => console.error(`--> ${message}`)

step('building the app (release) into target/bench/dist')
execFileSync('bash', ['tests/tools/build.sh', '--dist', distDir], { cwd: repoRoot, env, stdio: ['ignore', 'ignore', 'inherit'] })

/// Raw and gzip -9 bytes of the given dist files, by kind.
function weigh (names) {
  const sizes = { wasm: [0, 0], js: [0, 0], css: [0, 0] }
  for (const name of names) {
    const kind = name.endsWith('.wasm') ? 'wasm' : name.endsWith('.js') ? 'js' : name.endsWith('.css') ? 'css' : null
    if (!kind) continue
    const bytes = readFileSync(path.join(distDir, name))
    sizes[kind][0] += bytes.length
    sizes[kind][1] += gzipSync(bytes, { level: 9 }).length
  }
  return sizes
}
const everyFile = readdirSync(distDir, { recursive: true, withFileTypes: true })
  .filter((entry) => entry.isFile())
  .map((entry) => path.relative(distDir, path.join(entry.parentPath, entry.name)))
// The dist files a page fetched, by the paths of its responses.
const fetchedFiles = (page) => {
  const names = new Set()
  page.on('response', (response) => {
    const name = decodeURIComponent(new URL(response.url()).pathname).slice(1)
    if (everyFile.includes(name)) names.add(name)
  })
  return names
}

step('time to first render')
const server = http.createServer((request, response) => {
  const url = new URL(request.url, 'http://127.0.0.1')
  let file = path.join(distDir, url.pathname)
  if (!existsSync(file) || statSync(file).isDirectory()) file = path.join(distDir, 'index.html')
  const type = file.endsWith('.wasm') ? 'application/wasm' : file.endsWith('.js') ? 'text/javascript' : file.endsWith('.css') ? 'text/css' : 'text/html'
  response.writeHead(200, { 'Content-Type': type })
  createReadStream(file).pipe(response)
})
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
const browser = await launchBrowser()
const renders = []
const seenRenders = []
let firstLoad, mintPageAdds, tokenPageLoad
for (let run = 0; run < 5; run++) {
  const context = await browser.newContext()
  // The moment the app inserts its first element, noted by the page itself:
  // Playwright only sees it at its next poll and reports it a round trip
  // later, which is printed beside it.
  await context.addInitScript(() => {
    const observer = new MutationObserver(() => {
      if (document.querySelector('[data-testid="config-chain"]')) {
        window.__mintyFirstRender = performance.now()
        observer.disconnect()
      }
    })
    observer.observe(document, { childList: true, subtree: true })
  })
  const page = await context.newPage()
  const fetched = fetchedFiles(page)
  await page.goto(`http://127.0.0.1:${server.address().port}/`)
  await page.waitForSelector('[data-testid="config-chain"]')
  // From navigation start to the first app-rendered element in the DOM.
  seenRenders.push(await page.evaluate(() => performance.now()))
  renders.push(await page.evaluate(() => window.__mintyFirstRender))
  if (run === 0) {
    firstLoad = [...fetched]
    await page.getByRole('link', { name: 'Mint', exact: true }).click()
    await page.getByRole('heading', { name: 'Mint an NFT' }).waitFor()
    await page.waitForLoadState('networkidle')
    mintPageAdds = [...fetched].filter((name) => !firstLoad.includes(name))
    // A collector's link to a token: the build has no chain preset, so the
    // page ends saying so, but by then it has fetched all of its code.
    const collectorContext = await browser.newContext()
    const collector = await collectorContext.newPage()
    const collectorFetched = fetchedFiles(collector)
    await collector.goto(`http://127.0.0.1:${server.address().port}/token/1`)
    await collector.waitForFunction(() => !document.querySelector('[data-testid="page-loading"]') && document.querySelector('main h1'))
    await collector.waitForLoadState('networkidle')
    tokenPageLoad = [...collectorFetched]
    await collectorContext.close()
  }
  await context.close()
}
server.close()
const sizes = weigh(firstLoad)
const mintSizes = weigh(mintPageAdds)
const tokenSizes = weigh(tokenPageLoad)
const allSizes = weigh(everyFile)

step('minting a 1 MiB file on the local stack')
const stack = await startStack({ release: true })
const mints = []
const gallery = []
try {
  const file = Buffer.alloc(1 << 20)
  for (let i = 0; i < file.length; i++) file[i] = (i * 2654435761) >>> 24
  for (let run = 0; run < 3; run++) {
    file[0] = run
    const page = await openApp(browser, stack)
    await page.evaluate((saved) => localStorage.setItem('minty.api_token', JSON.stringify(saved)), { token: STORAGE_TOKEN, endpoint: stack.storageUrl })
    await page.goto(stack.appUrl + '/mint')
    await page.getByTestId('connect-wallet').click()
    await page.getByTestId('wallet-account').waitFor()
    await page.getByTestId('mint-file').setInputFiles({ name: 'one-mib.bin', mimeType: 'application/octet-stream', buffer: file })
    await page.getByTestId('mint-name').fill(`Bench ${run}`)
    const start = Date.now()
    await page.getByTestId('mint-submit').click()
    await page.getByTestId('minted-token-id').waitFor({ timeout: 120000 })
    mints.push(Date.now() - start)
    await page.context().close()
  }

  step('minting 1,000 tokens for the gallery')
  const metadata = await upload(stack, [{ name: 'metadata.json', bytes: Buffer.from(JSON.stringify({ name: 'Bench token' })), type: 'application/json' }])
  for (let minted = 3; minted < 1000; minted++) await mintToken(stack, `${metadata}/metadata.json`, DEV_ACCOUNTS[minted % 2])
  for (let run = 0; run < 3; run++) {
    const page = await openApp(browser, stack, { wallet: false })
    const posts = []
    page.on('request', (request) => {
      if (request.method() === 'POST' && request.url().startsWith(stack.rpcUrl)) posts.push(request.postDataJSON())
    })
    const start = Date.now()
    await page.goto(stack.appUrl + '/tokens')
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="token-card"]').length === 50, null, { timeout: 60000 })
    gallery.push({ ms: Date.now() - start, roundTrips: posts.length, calls: posts.reduce((sum, body) => sum + (Array.isArray(body) ? body.length : 1), 0) })
    await page.context().close()
  }
} finally {
  await browser.close()
  await stack.stop()
}

const kb = (bytes) => (bytes / 1000).toFixed(1).padStart(7)
console.log(`first-load transfer, release build: the ${firstLoad.length} files the start page fetched (raw / gzip -9)`)
console.log(`  wasm   ${kb(sizes.wasm[0])} kB / ${kb(sizes.wasm[1])} kB`)
console.log(`  js     ${kb(sizes.js[0])} kB / ${kb(sizes.js[1])} kB`)
console.log(`  css    ${kb(sizes.css[0])} kB / ${kb(sizes.css[1])} kB`)
console.log(`  wasm + js, gzip: ${kb(sizes.wasm[1] + sizes.js[1])} kB (target 250 kB)`)
console.log(`opening the mint page then fetches ${mintPageAdds.length} more files: wasm + js, gzip: ${kb(mintSizes.wasm[1] + mintSizes.js[1])} kB`)
console.log(`a first visit straight to a token's page fetches ${tokenPageLoad.length} files: wasm + js, gzip: ${kb(tokenSizes.wasm[1] + tokenSizes.js[1])} kB`)
console.log(`the whole app, every split module: wasm + js, gzip: ${kb(allSizes.wasm[1] + allSizes.js[1])} kB in ${everyFile.filter((name) => /\.(wasm|js)$/.test(name)).length} files`)
console.log(`time to first render, headless Chromium, loopback: median ${median(renders).toFixed(0)} ms (runs: ${renders.map((ms) => ms.toFixed(0)).join(', ')}); as Playwright sees it: median ${median(seenRenders).toFixed(0)} ms (runs: ${seenRenders.map((ms) => ms.toFixed(0)).join(', ')})`)
console.log(`"Mint" to token id, 1 MiB file, local stack, release build: median ${median(mints)} ms (runs: ${mints.join(', ')})`)
const galleryRun = gallery[0]
console.log(`first gallery page, 50 of 1,000 tokens, no wallet: ${galleryRun.roundTrips} round trips to the RPC URL carrying ${galleryRun.calls} calls (${galleryRun.calls} round trips with every call alone); shown in a median ${median(gallery.map(({ ms }) => ms))} ms (runs: ${gallery.map(({ ms }) => ms).join(', ')})`)
