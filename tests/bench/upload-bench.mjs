// `npm run bench`, second part: uploading to the local nft.storage stand-in.
//   (a) the app in headless Chromium minting a 256 MiB random file: its CAR
//       goes in parts of at most 50 MiB, three at a time, as nft.storage's
//       client sent them
//   (b) curl posting the same parts, byte for byte, three at a time
//   (c) Chromium's XHR posting the same parts as whole files, to separate
//       what the browser costs from what the app's sliced Blobs cost
// as a throughput ratio a/b (goal: at least 0.8); then the peak JS heap and
// the wasm memory while the app mints a 1 GiB file (goal: heap under 64 MiB).
// Each side gets a fresh stack, so neither finds its blocks already stored.
// Everything runs on loopback.
import { execFileSync, spawnSync } from 'node:child_process'
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import http from 'node:http'
import path from 'node:path'
import { launchBrowser, repoRoot, startStack, STORAGE_TOKEN } from '../e2e/harness.mjs'
import { fillForm, mintPage } from '../e2e/mint-page.mjs'
import { MiB, benchDir, env, mbps, randomFile, step } from './bench-kit.mjs'

const RUNS = 3
// The same rule as src/ipfs/car_split.rs (MAX_PART_BYTES).
const MAX_PART_BYTES = 50 * MiB

step('building ipfs-pack (release)')
execFileSync('cargo', ['build', '--quiet', '--release', '--bin', 'ipfs-pack'], { cwd: repoRoot, env, stdio: 'inherit' })
const ipfsPack = path.join(repoRoot, 'target/release/ipfs-pack')

const files = Array.from({ length: RUNS }, (_, run) => randomFile(`upload-256MiB-${run}.bin`, 256 * MiB))

/// Mints `file` through the app and times its CAR parts on the wire, from
/// the first part's request to the last part's answer, by the browser's own
/// network timings. Packing comes before and is not counted.
async function appUpload (browser, stack, file) {
  const page = await mintPage(browser, stack)
  const uploads = []
  page.on('request', (request) => {
    if (request.method() === 'POST' && request.url() === `${stack.storageUrl}/upload`) uploads.push(request)
  })
  await fillForm(page, { name: path.basename(file), file })
  await page.getByTestId('mint-submit').click()
  await page.getByTestId('mint-result').waitFor({ timeout: 600000 })
  const assetUri = await page.getByTestId('minted-asset-uri').innerText()
  // Blob bodies are not measured by Playwright; their headers say how long they were.
  const parts = []
  for (const request of uploads) {
    const bytes = Number((await request.allHeaders())['content-length'])
    // The metadata's small CAR follows the asset's parts; it is not counted.
    if (bytes > MiB) parts.push({ bytes, timing: request.timing() })
  }
  await page.context().close()
  const start = Math.min(...parts.map(({ timing }) => timing.startTime))
  const end = Math.max(...parts.map(({ timing }) => timing.startTime + timing.responseEnd))
  return {
    root: assetUri.match(/^ipfs:\/\/([^/]+)\//)[1],
    sizes: parts.map(({ bytes }) => bytes).sort((a, b) => a - b),
    bytes: parts.reduce((sum, { bytes }) => sum + bytes, 0),
    seconds: (end - start) / 1000
  }
}

function readVarint (bytes, offset) {
  let value = 0
  let shift = 0
  for (;;) {
    const byte = bytes[offset++]
    value += (byte & 0x7f) * 2 ** shift
    if (byte < 0x80) return { value, offset }
    shift += 7
  }
}

/// Packs `file` natively (byte-identical to the app's packer) and cuts the
/// CAR into the parts the app sends: the header, then whole sections up to
/// 50 MiB per part.
function carParts (file) {
  const car = path.join(benchDir, `${path.basename(file)}.car`)
  const root = execFileSync(ipfsPack, [file, '--output', car], { env, encoding: 'utf8' }).trim()
  const bytes = readFileSync(car)
  const { value: headerLength, offset: headerStart } = readVarint(bytes, 0)
  const header = bytes.subarray(0, headerStart + headerLength)
  const sections = []
  for (let offset = header.length; offset < bytes.length;) {
    const { value, offset: body } = readVarint(bytes, offset)
    sections.push(bytes.subarray(offset, body + value))
    offset = body + value
  }
  const parts = []
  let current = []
  let filled = header.length
  for (const section of sections) {
    if (current.length > 0 && filled + section.length > MAX_PART_BYTES) {
      parts.push(current)
      current = []
      filled = header.length
    }
    current.push(section)
    filled += section.length
  }
  if (current.length > 0) parts.push(current)
  const paths = parts.map((sections, index) => {
    const part = `${car}.part${index}`
    writeFileSync(part, Buffer.concat([header, ...sections]))
    return part
  })
  return { root, car, paths, sizes: paths.map((part) => readFileSync(part).length).sort((a, b) => a - b) }
}

/// curl posting every part to `/upload`, three at a time, as the app does.
function curlUpload (stack, parts) {
  const args = ['--parallel', '--parallel-max', '3']
  parts.paths.forEach((part, index) => {
    if (index > 0) args.push('--next')
    args.push('-sS', '--fail', '-o', '/dev/null',
      '-H', `Authorization: Bearer ${STORAGE_TOKEN}`, '-H', 'Content-Type: application/car',
      '--data-binary', `@${part}`, `${stack.storageUrl}/upload`)
  })
  const start = process.hrtime.bigint()
  const result = spawnSync('curl', args, { env, encoding: 'utf8' })
  const seconds = Number(process.hrtime.bigint() - start) / 1e9
  if (result.status !== 0) throw new Error(`curl failed: ${result.stderr}`)
  return { bytes: parts.sizes.reduce((sum, bytes) => sum + bytes, 0), seconds }
}

/// The floor Chromium itself sets: the same parts posted by XHR, three at a
/// time, each part a file of its own and so one contiguous Blob, where the
/// app's parts are Blobs of about 200 slices of the picked file between the
/// CAR's block prefixes. From a blank page of another loopback origin.
async function contiguousXhrUpload (browser, stack, parts) {
  const server = http.createServer((request, response) => {
    response.writeHead(200, { 'Content-Type': 'text/html' })
    response.end('<!doctype html><input type="file" multiple>')
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const page = await browser.newPage()
  try {
    await page.goto(`http://127.0.0.1:${server.address().port}/`)
    await page.setInputFiles('input', parts.paths)
    const seconds = await page.evaluate(async ({ url, token }) => {
      const files = [...document.querySelector('input').files]
      const post = (file) => new Promise((resolve, reject) => {
        const request = new XMLHttpRequest()
        request.open('POST', url)
        request.setRequestHeader('Authorization', `Bearer ${token}`)
        request.setRequestHeader('Content-Type', 'application/car')
        request.onload = () => request.status === 200 ? resolve() : reject(new Error(`status ${request.status}`))
        request.onerror = () => reject(new Error('network error'))
        request.send(file)
      })
      const start = performance.now()
      let next = 0
      const lane = async () => { while (next < files.length) await post(files[next++]) }
      await Promise.all([lane(), lane(), lane()])
      return (performance.now() - start) / 1000
    }, { url: `${stack.storageUrl}/upload`, token: STORAGE_TOKEN })
    return { bytes: parts.sizes.reduce((sum, bytes) => sum + bytes, 0), seconds }
  } finally {
    await page.close()
    server.close()
  }
}

/// Mints a 1 GiB file while sampling the page's JS heap through the
/// DevTools protocol; wasm memory never shrinks, so its size at the end is
/// its peak.
async function uploadMemory (browser, stack, file) {
  const page = await mintPage(browser, stack)
  // The app's loader (tests/tools/app-build.mjs) hands the wasm instance to
  // this event, as trunk's own does; its memory is
  // read at the end.
  await page.context().addInitScript(() => {
    addEventListener('TrunkApplicationStarted', (event) => { window.mintyWasmMemory = event.detail.wasm.memory })
  })
  await page.reload()
  // The app reconnects a wallet it was connected to.
  await page.getByTestId('wallet-account').waitFor()
  const devtools = await page.context().newCDPSession(page)
  await devtools.send('Performance.enable')
  let peakHeap = 0
  let samples = 0
  let done = false
  const sampling = (async () => {
    while (!done) {
      const { metrics } = await devtools.send('Performance.getMetrics')
      peakHeap = Math.max(peakHeap, metrics.find(({ name }) => name === 'JSHeapUsedSize').value)
      samples++
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  })()
  await fillForm(page, { name: path.basename(file), file })
  await page.getByTestId('mint-submit').click()
  try {
    await page.getByTestId('mint-result').waitFor({ timeout: 900000 })
  } finally {
    done = true
    await sampling
  }
  const wasmBytes = await page.evaluate(() => window.mintyWasmMemory.buffer.byteLength)
  await page.context().close()
  return { peakHeap, samples, wasmBytes }
}

const browser = await launchBrowser()
const app = []
const curl = []
const contiguous = []
let memory
try {
  step(`the app: ${RUNS} mints of a 256 MiB file on a fresh stack`)
  let stack = await startStack()
  try {
    for (const file of files) app.push(await appUpload(browser, stack, file))
  } finally {
    await stack.stop()
  }

  step('curl: the same CAR parts on a fresh stack')
  stack = await startStack()
  try {
    for (const [run, file] of files.entries()) {
      const parts = carParts(file)
      if (parts.root !== app[run].root) throw new Error(`ipfs-pack's root ${parts.root} is not the app's ${app[run].root}`)
      if (parts.sizes.join() !== app[run].sizes.join()) {
        throw new Error(`the parts differ: app ${app[run].sizes}, ipfs-pack ${parts.sizes}`)
      }
      curl.push(curlUpload(stack, parts))
      contiguous.push(await contiguousXhrUpload(browser, stack, parts))
      for (const part of [parts.car, ...parts.paths]) rmSync(part)
    }
    step('the app: minting a 1 GiB file, sampling its memory')
    memory = await uploadMemory(browser, stack, randomFile('random-1GiB.bin', 1024 * MiB))
  } finally {
    await stack.stop()
  }
} finally {
  await browser.close()
}

const best = (runs) => Math.max(...runs.map(({ bytes, seconds }) => mbps(bytes, seconds)))
const fmt = (x) => x.toFixed(1).padStart(8)
const a = best(app)
const b = best(curl)
console.log(`uploading a 256 MiB file's CAR to the local nft.storage stand-in (${app[0].sizes.length} parts, 3 at a time; best of ${RUNS})`)
console.log(`  (a) the app in Chromium           ${fmt(a)} MB/s   runs: ${app.map(({ bytes, seconds }) => mbps(bytes, seconds).toFixed(1)).join(', ')}`)
console.log(`  (b) curl, the same parts          ${fmt(b)} MB/s   runs: ${curl.map(({ bytes, seconds }) => mbps(bytes, seconds).toFixed(1)).join(', ')}`)
const c = best(contiguous)
console.log(`  (c) XHR, each part a whole file   ${fmt(c)} MB/s   runs: ${contiguous.map(({ bytes, seconds }) => mbps(bytes, seconds).toFixed(1)).join(', ')}`)
console.log(`  a/b = ${(a / b).toFixed(2)} (goal at least 0.8)   c/b = ${(c / b).toFixed(2)}   a/c = ${(a / c).toFixed(2)}`)
console.log('minting a 1 GiB file in Chromium')
console.log(`  peak JS heap                      ${fmt(memory.peakHeap / MiB)} MiB (goal under 64 MiB; ${memory.samples} samples)`)
console.log(`  wasm memory at the end            ${fmt(memory.wasmBytes / MiB)} MiB`)
