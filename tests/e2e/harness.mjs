// End-to-end harness: starts the real local stack (anvil with Minty, the
// storage service, trunk serve) on test ports, drives Debian's Chromium
// headless through playwright-core, and injects the test wallet.
import { spawn } from 'node:child_process'
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'

const here = path.dirname(fileURLToPath(import.meta.url))
export const repoRoot = path.resolve(here, '../..')
export const artifactsDir = path.join(here, 'artifacts')
mkdirSync(artifactsDir, { recursive: true })

// Ports apart from the dev stack's defaults, so a running `npm run dev`
// does not collide with the tests; MINTY_E2E_PORT_BASE moves them all, for
// running two checkouts' tests at once.
const portBase = Number(process.env.MINTY_E2E_PORT_BASE || 18000)
export const ports = { anvil: portBase + 545, storage: portBase + 787, app: portBase + 80 }
export const CHAIN_ID = 31337
export const CHAIN_ID_HEX = '0x7a69'
// anvil's first dev accounts (from its public test mnemonic).
export const DEV_ACCOUNTS = [
  '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266',
  '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'
]

// Cargo's own CARGO_TARGET_DIR, when set, is where `cargo build` put it.
const targetDir = process.env.CARGO_TARGET_DIR || path.join(repoRoot, 'target')
const devstackBinary = path.join(targetDir, 'debug/minty-devstack')
// The first trunk build of the app can take minutes on a small machine.
const STACK_START_TIMEOUT_MS = 20 * 60 * 1000

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

// The stack's storage service accepts only this token, so tests can also
// show what a wrong one does.
export const STORAGE_TOKEN = 'test-token'

export async function startStack ({ storageToken = STORAGE_TOKEN, release = false } = {}) {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'minty-e2e-'))
  // Anvil's state and every upload live here, up to gigabytes a story. A
  // service that outlived its kill may still be writing: warn, never hide
  // the error the story itself is failing with.
  const removeDataDir = () => {
    try {
      rmSync(dataDir, { recursive: true, force: true, maxRetries: 3 })
    } catch (error) {
      console.warn(`could not remove ${dataDir}: ${error.message}`)
    }
  }
  const args = [
    'up', '--fresh', '--data-dir', dataDir,
    '--anvil-port', String(ports.anvil),
    '--storage-port', String(ports.storage),
    '--app-port', String(ports.app)
  ]
  if (storageToken) args.push('--storage-token', storageToken)
  // The optimised build, as users get it (benchmarks); stories use the debug one.
  if (release) args.push('--release')
  args.push('--storage-test-switches')
  const logPath = path.join(artifactsDir, 'stack.log')
  const log = createWriteStream(logPath)
  const child = spawn(devstackBinary, args, { cwd: repoRoot, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
  // Two sources into one log: neither may end it, or the other's last lines
  // are written after its end; it ends once the child's streams close.
  child.stdout.pipe(log, { end: false })
  child.stderr.pipe(log, { end: false })
  const streamsClosed = new Promise((resolve) => child.on('close', resolve))
  let exited = null
  const exit = new Promise((resolve) => child.on('exit', (code, signal) => { exited = { code, signal }; resolve() }))

  const stack = {
    appUrl: `http://127.0.0.1:${ports.app}`,
    rpcUrl: `http://127.0.0.1:${ports.anvil}`,
    storageUrl: `http://127.0.0.1:${ports.storage}`,
    dataDir,
    /// Flips a misbehaviour switch of the storage service (tests only).
    async storageSwitch (name, on) {
      const response = await fetch(`${this.storageUrl}/__test/${name}`, { method: 'POST', body: on ? 'on' : 'off' })
      if (!response.ok) throw new Error(`storage switch ${name}: ${response.status}`)
    },
    /// The gateway alters its raw answers for block `cid` alone (tests
    /// only), a gateway lying about one block of a DAG, until
    /// `storageSwitch('corrupt-gateway', false)`.
    async alterBlock (cid) {
      const response = await fetch(`${this.storageUrl}/__test/corrupt-gateway`, { method: 'POST', body: cid })
      if (!response.ok) throw new Error(`corrupt-gateway ${cid}: ${response.status}`)
    },
    /// One `api`'s upload answers name a CID for other bytes while `on`
    /// (tests only); the other APIs' stay honest.
    async lieAboutCids ({ api, on }) {
      if (!api) throw new Error('lieAboutCids: name the api (nft-storage, pinata or kubo)')
      const response = await fetch(`${this.storageUrl}/__test/lie-about-cids?api=${api}`, { method: 'POST', body: on ? 'on' : 'off' })
      if (!response.ok) throw new Error(`lie-about-cids: ${response.status}`)
    },
    /// The next `count` uploads to one `api` fail (tests only): 'nft-storage'
    /// (`/upload`), 'pinata' (pinFileToIPFS and the TUS PATCHes, not the
    /// creating POST) or 'kubo' (`dag/import`); the other APIs' uploads are
    /// untouched. With `status` by default (in that API's error shape), or
    /// with `fault: 'drop'` (the connection closes halfway through the
    /// body), `fault: 'stall'` (nothing is read or answered) or
    /// `fault: 'redirect'` (a 307 to another origin).
    async failUploads ({ api, fault = 'status', status, count, retryAfter }) {
      if (!api) throw new Error('failUploads: name the api (nft-storage, pinata or kubo)')
      const response = await fetch(`${this.storageUrl}/__test/fail-uploads`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ api, fault, status, count, retryAfter })
      })
      if (!response.ok) throw new Error(`fail-uploads: ${response.status}`)
    },
    async stop () {
      if (!exited) {
        child.kill('SIGTERM')
        await Promise.race([exit, sleep(15000)])
        if (!exited) process.kill(-child.pid, 'SIGKILL')
      }
      await Promise.race([streamsClosed, sleep(5000)])
      // A grandchild may still hold the pipes open: stop copying first.
      child.stdout.unpipe(log)
      child.stderr.unpipe(log)
      log.end()
      removeDataDir()
    }
  }

  const deadline = Date.now() + STACK_START_TIMEOUT_MS
  while (Date.now() < deadline) {
    if (exited) {
      await stack.stop()
      throw new Error(`the local stack exited (${JSON.stringify(exited)}):\n${tail(logPath)}`)
    }
    if (await appIsServed(stack.appUrl)) return stack
    await sleep(500)
  }
  await stack.stop()
  throw new Error(`the app was not served within ${STACK_START_TIMEOUT_MS / 60000} minutes:\n${tail(logPath)}`)
}

async function appIsServed (appUrl) {
  try {
    const response = await fetch(appUrl + '/')
    return response.ok && (await response.text()).includes('.wasm')
  } catch {
    return false
  }
}

function tail (file) {
  return readFileSync(file, 'utf8').split('\n').slice(-40).join('\n')
}

/// The stack and a browser for one test file: started before its tests,
/// stopped after them.
export async function openSession (options) {
  const stack = await startStack(options)
  try {
    return { stack, browser: await launchBrowser() }
  } catch (error) {
    await stack.stop()
    throw error
  }
}

export async function closeSession ({ stack, browser } = {}) {
  await browser?.close()
  await stack?.stop()
  // Checked here too, so a story that never looks at its page's errors
  // still fails its file when the policy blocked something the app needs.
  const violations = cspViolations.splice(0)
  if (violations.length) throw new Error(`Content-Security-Policy violations:\n${violations.join('\n')}`)
}

// The browser reports what the Content-Security-Policy blocked only as a
// `securitypolicyviolation` event in the page (and a log line the driver does
// not see), so a script added before the app's reports each one on the console.
const CSP_VIOLATION = 'CSP violation:'
const WATCH_CSP = `document.addEventListener('securitypolicyviolation', (event) => console.error(
  ${JSON.stringify(CSP_VIOLATION)}, event.effectiveDirective, 'blocked', event.blockedURI || 'inline', event.sample || ''))`
const cspViolations = []

/// The violations `page` has reported so far, taken off the lists that fail
/// a test: for stories that provoke the policy on purpose.
export function takeCspViolations (page) {
  const taken = page.pageErrors.filter((error) => error.message.includes(CSP_VIOLATION))
  page.pageErrors = page.pageErrors.filter((error) => !taken.includes(error))
  for (const error of taken) cspViolations.splice(cspViolations.indexOf(error.message), 1)
  return taken.map((error) => error.message)
}

export function launchBrowser () {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: true,
    // Without these, Chromium stalls reaching Google's services on a closed network.
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'
    ]
  })
}

export const PHONE = { width: 390, height: 844 }
export const DESKTOP = { width: 1280, height: 800 }

/// Opens the app in a fresh browser context, with the test wallet unless
/// `wallet: false`; `wallets` installs several, each a partial config
/// (`account`, `name`, `rdns`, `announce`, `inject`; see test-wallet.js).
/// Page errors and Content-Security-Policy violations are collected so
/// tests can assert none.
export async function openApp (browser, stack, { wallet = true, wallets, path: route = '/', viewport = DESKTOP } = {}) {
  const context = await browser.newContext({ viewport })
  await context.addInitScript({ content: WATCH_CSP })
  if (wallet) {
    const base = { chains: { [CHAIN_ID_HEX]: stack.rpcUrl }, chainId: CHAIN_ID_HEX, account: DEV_ACCOUNTS[0] }
    const config = wallets ? wallets.map((overrides) => ({ ...base, ...overrides })) : base
    await context.exposeFunction('__testWalletRpc', async (url, body) => {
      const response = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body })
      return response.text()
    })
    await context.addInitScript({ content: `window.__testWalletConfig = ${JSON.stringify(config)};` })
    await context.addInitScript({ path: path.join(here, 'test-wallet.js') })
  }
  const page = await context.newPage()
  page.pageErrors = []
  page.on('pageerror', (error) => page.pageErrors.push(error))
  page.on('console', (message) => {
    if (message.type() === 'error' && message.text().startsWith(CSP_VIOLATION)) {
      const violation = `${page.url()}: ${message.text()}`
      cspViolations.push(violation)
      page.pageErrors.push(new Error(violation))
    }
  })
  await page.goto(stack.appUrl + route)
  return page
}

export function screenshotPath (name) {
  return path.join(artifactsDir, `${name}.png`)
}

// axe-core's source, read once. It goes in through the driver's evaluate
// (DevTools' Runtime protocol), not as a <script> the page's script-src would
// have to allow, and the policy is not bypassed for the context. DevTools
// lets the page eval only while its call runs synchronously: once axe.run
// awaits, `new Function` is blocked and reported as a violation. axe's
// default run needs none (it compiles its doT message templates only for
// `axe.configure` with a locale), so keep to its defaults.
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')

/// Runs axe-core on what `page` shows now, with its default rules (WCAG 2.x
/// A and AA, and its best practices), and throws listing every violation
/// (rule, impact, the elements' selectors, help URL). Call it once the
/// content that matters has rendered; `label` names the moment in the error.
export async function assertAccessible (page, label) {
  if (!await page.evaluate(() => typeof window.axe?.run === 'function')) {
    await page.evaluate(`${AXE_SOURCE};0`)
  }
  const violations = await page.evaluate(async () => {
    const results = await window.axe.run(document, { resultTypes: ['violations'] })
    return results.violations.map(({ id, impact, help, helpUrl, nodes }) => ({
      id, impact, help, helpUrl, targets: nodes.map((node) => node.target.join(' >>> '))
    }))
  })
  if (violations.length) {
    const list = violations.map(({ id, impact, help, helpUrl, targets }) =>
      `- ${id} (${impact}): ${help}\n    ${helpUrl}\n${targets.map((target) => `    at ${target}`).join('\n')}`)
    throw new Error(`axe found ${violations.length} accessibility violation(s) on ${label} (${page.url()}):\n${list.join('\n')}`)
  }
}
