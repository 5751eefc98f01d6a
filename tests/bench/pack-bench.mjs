// `npm run bench`: packing throughput and memory, from one run.
//   (a) Minty's wasm packer in headless Chromium, hashing on the page's
//       thread and in pools of 1, 2 and 4 workers
//   (b) ipfs-car 2.0.0's packer, bundled for the browser, in the same Chromium
//   (c) the native ipfs-pack CLI
//   (d) `openssl dgst -sha256`, the floor set by hashing alone
// on the same 64 MiB random file with the nft-storage profile; then SHA-256
// in wasm against SubtleCrypto.digest; peak memory for 1 GiB natively, and
// what the page holds after packing a 256 MiB Blob (the hashing workers'
// own heaps, gone once the pack ends, are not counted). Everything runs on
// loopback.
import { execFileSync, spawnSync } from 'node:child_process'
import { createReadStream, existsSync, statSync } from 'node:fs'
import http from 'node:http'
import path from 'node:path'
import { launchBrowser, repoRoot } from '../e2e/harness.mjs'
import { MiB, benchDir, env, mbps, randomFile, step } from './bench-kit.mjs'

const SIZE = 64 * MiB
const distDir = path.join(benchDir, 'dist')

/// Wall-clock seconds of a command, best of three, and its stdout.
function timeCommand (command, args) {
  let best = Infinity
  let stdout = ''
  for (let run = 0; run < 3; run++) {
    const start = process.hrtime.bigint()
    const result = spawnSync(command, args, { env, encoding: 'utf8', maxBuffer: 1 << 24 })
    const seconds = Number(process.hrtime.bigint() - start) / 1e9
    if (result.status !== 0) throw new Error(`${command} failed: ${result.stderr}`)
    best = Math.min(best, seconds)
    stdout = result.stdout
  }
  return { seconds: best, stdout: stdout.trim() }
}

/// Peak resident memory (MiB) of a command, from the kernel's accounting.
function peakMemoryMiB (command, args) {
  const probe = 'import resource, subprocess, sys\n' +
    'subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)\n' +
    'print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)'
  const kib = Number(execFileSync('python3', ['-c', probe, command, ...args], { env, encoding: 'utf8' }).trim())
  return kib / 1024
}

function serve (routes) {
  const server = http.createServer((request, response) => {
    const url = new URL(request.url, 'http://127.0.0.1')
    const file = routes[url.pathname] || path.join(distDir, url.pathname === '/' ? 'index.html' : url.pathname)
    if (!existsSync(file) || statSync(file).isDirectory()) { response.writeHead(404); response.end(); return }
    const type = file.endsWith('.wasm') ? 'application/wasm' : file.endsWith('.js') ? 'text/javascript' : file.endsWith('.html') ? 'text/html' : 'application/octet-stream'
    response.writeHead(200, { 'Content-Type': type })
    createReadStream(file).pipe(response)
  })
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)))
}

step('building ipfs-pack (release)')
execFileSync('cargo', ['build', '--quiet', '--release', '--bin', 'ipfs-pack'], { cwd: repoRoot, env, stdio: 'inherit' })
const ipfsPack = path.join(repoRoot, 'target/release/ipfs-pack')
step('building the app (release) into target/bench/dist')
execFileSync('bash', ['tests/tools/build.sh', '--dist', distDir], { cwd: repoRoot, env, stdio: ['ignore', 'ignore', 'inherit'] })
step('bundling ipfs-car 2.0.0 for the browser')
execFileSync('esbuild', ['node_modules/ipfs-car-v2/index.js', '--bundle', '--format=iife', '--global-name=ipfsCar',
  `--outfile=${path.join(benchDir, 'ipfs-car.js')}`, '--log-level=warning'], { cwd: repoRoot, env, stdio: 'inherit' })

const file64 = randomFile('random-64MiB.bin', SIZE)

step('native: ipfs-pack and openssl')
const native = timeCommand(ipfsPack, [file64, '--no-wrap'])
const openssl = timeCommand('openssl', ['dgst', '-sha256', file64])

step('browser: Minty wasm and ipfs-car in Chromium')
const server = await serve({ '/random.bin': file64, '/ipfs-car.js': path.join(benchDir, 'ipfs-car.js') })
const origin = `http://127.0.0.1:${server.address().port}`
const browser = await launchBrowser()
const page = await browser.newPage()
await page.goto(origin + '/')
await page.waitForFunction(() => window.wasmBindings && window.wasmBindings.packBlob)
await page.addScriptTag({ url: origin + '/ipfs-car.js' })

const inBrowser = await page.evaluate(async () => {
  const blob = await (await fetch('/random.bin')).blob()
  const best = async (run) => {
    let seconds = Infinity
    let value
    for (let i = 0; i < 3; i++) {
      const start = performance.now()
      value = await run()
      seconds = Math.min(seconds, (performance.now() - start) / 1000)
    }
    return { seconds, value }
  }
  const ours = {}
  for (const workers of [0, 1, 2, 4]) {
    ours[workers] = await best(async () => (await window.wasmBindings.packBlob(blob, null, 'nft-storage', null, workers)).root)
  }
  const theirs = await best(async () => {
    const car = new window.ipfsCar.CAREncoderStream([])
    let bytes = 0
    await window.ipfsCar.createFileEncoderStream(blob).pipeThrough(car)
      .pipeTo(new WritableStream({ write (chunk) { bytes += chunk.length } }))
    return car.finalBlock.cid.toString()
  })
  // Hashing alone, over the leaves' 256 KiB pieces, as the importer sees them.
  const pieces = []
  const whole = new Uint8Array(await blob.arrayBuffer())
  for (let offset = 0; offset < whole.length; offset += 262144) pieces.push(whole.subarray(offset, offset + 262144))
  const wasmSha = await best(async () => { for (const piece of pieces) window.wasmBindings.sha256Hex(piece) })
  const subtle = await best(async () => { for (const piece of pieces) await crypto.subtle.digest('SHA-256', piece) })
  return { ours, theirs, wasmSha: wasmSha.seconds, subtle: subtle.seconds, bytes: blob.size, cores: navigator.hardwareConcurrency }
})

const memory = await page.evaluate(async () => {
  const parts = []
  for (let i = 0; i < 256; i++) {
    const part = new Uint8Array(1024 * 1024)
    for (let offset = 0; offset < part.length; offset += 65536) crypto.getRandomValues(part.subarray(offset, offset + 65536))
    parts.push(part)
  }
  const blob = new Blob(parts)
  parts.length = 0
  // Kept, as a mint keeps it until the upload is done.
  window.packed = await window.wasmBindings.packBlob(blob, null, 'nft-storage', null)
  return { wasmMemoryBytes: window.packed.wasmMemoryBytes }
})
// What the packer holds on to, not the garbage this script made: the 256 MiB
// of random parts are unreachable once they are in the Blob.
const devtools = await page.context().newCDPSession(page)
await devtools.send('HeapProfiler.collectGarbage')
await devtools.send('Performance.enable')
const { metrics } = await devtools.send('Performance.getMetrics')
memory.jsHeapBytes = metrics.find((metric) => metric.name === 'JSHeapUsedSize')?.value
await browser.close()
server.close()

step('native peak memory for 1 GiB')
const file1g = randomFile('random-1GiB.bin', 1024 * MiB)
const nativePeak = peakMemoryMiB(ipfsPack, [file1g, '--no-wrap'])

const b = mbps(inBrowser.bytes, inBrowser.theirs.seconds)
const c = mbps(SIZE, native.seconds)
const d = mbps(SIZE, openssl.seconds)
const ours = Object.entries(inBrowser.ours).map(([workers, run]) => ({ workers: Number(workers), a: mbps(inBrowser.bytes, run.seconds), cid: run.value }))
const same = [...ours.map((run) => run.cid), inBrowser.theirs.value].every((cid) => cid === native.stdout)
const fmt = (x) => x.toFixed(1).padStart(8)
console.log(`packing a 64 MiB random file, profile nft-storage (best of 3 each; Chromium reports ${inBrowser.cores} cores)`)
for (const { workers, a } of ours) {
  const where = workers === 0 ? 'on the page' : `in ${workers} worker${workers > 1 ? 's' : ''}`
  console.log(`  (a) Minty, hashing ${where.padEnd(11)}   ${fmt(a)} MB/s   a/b = ${(a / b).toFixed(2)}   a/d = ${(a / d).toFixed(2)}`)
}
console.log(`  (b) ipfs-car 2.0.0 in Chromium      ${fmt(b)} MB/s`)
console.log(`  (c) ipfs-pack, native               ${fmt(c)} MB/s`)
console.log(`  (d) openssl dgst -sha256            ${fmt(d)} MB/s`)
console.log(`  root CIDs ${same ? 'agree' : 'DIFFER'}: ${native.stdout}`)
console.log(`SHA-256 over 256 KiB pieces in Chromium`)
console.log(`  sha2 crate in wasm                ${fmt(mbps(inBrowser.bytes, inBrowser.wasmSha))} MB/s`)
console.log(`  SubtleCrypto.digest, awaited      ${fmt(mbps(inBrowser.bytes, inBrowser.subtle))} MB/s`)
console.log(`memory`)
console.log(`  ipfs-pack, 1 GiB file             ${fmt(nativePeak)} MiB peak resident`)
console.log(`  browser, 256 MiB Blob             ${fmt(memory.wasmMemoryBytes / MiB)} MiB wasm memory` +
  (memory.jsHeapBytes ? `, ${(memory.jsHeapBytes / MiB).toFixed(1)} MiB JS heap holding the packed CAR` : ''))
if (!same) process.exitCode = 1
