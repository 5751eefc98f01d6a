// trunk's build hook (Trunk.toml): builds the Rust app for the browser, in
// place of trunk's own rust pipeline, and puts it into the staged page.
//
// Why not trunk's pipeline: the app loads the code of each page but the start
// page on first visit (src/pages/lazy.rs), and that needs a step between cargo
// and wasm-bindgen that splits the wasm at the `#[lazy]` points. trunk 0.21
// has no such step (trunk issue #1022), so the steps run here, as cargo-leptos
// runs them:
//   1. cargo builds the wasm, with relocations kept (`--emit-relocs`), which
//      the split reads to know what each function reaches;
//   2. `wasm-split-cli` (crate wasm_split_cli_support) writes the main module,
//      one module per split point or shared chunk, and `__wasm_split.js`,
//      which fetches them on demand;
//   3. wasm-bindgen generates the JS glue for the main module, keeping the
//      exports the split modules import (`--keep-lld-exports`);
//   4. in release builds, wasm-opt -Oz shrinks every module on its own, and
//      esbuild minifies the JS (the glue and the split's loader are on the
//      first load: 16.4 -> 12.3 kB gzip when this came in).
// The result goes into `app-<hash>/` under the staged dist: the hash of its
// contents names the folder, so a new build is never served from a stale
// cache, while the modules find each other by plain relative names.
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

import { transformSync } from 'esbuild'

import { loopbackOrigins, sealPage } from './csp.mjs'

const BIN = 'minty'
// `--cfg erase_components`: Leptos type-erases views instead of
// monomorphising each one (795 -> 711 kB of gzipped wasm when it came in).
const APP_RUSTFLAGS = '--cfg erase_components -Clink-args=--emit-relocs'
// The split's loader, which the glue imports: preloaded beside it, so the
// browser does not find it only once the glue has arrived.
const SPLIT_LOADER = '__wasm_split.js'

/// The inline module that starts the app: the same contract as trunk's own
/// loader (`window.wasmBindings`, the `TrunkApplicationStarted` event), so
/// scripts and tools written for trunk apps keep working.
export function loaderMarkup (folder, { jsIntegrity, wasmIntegrity, splitLoaderIntegrity }) {
  const js = `/${folder}/${BIN}.js`
  const wasm = `/${folder}/${BIN}_bg.wasm`
  const splitLoader = `/${folder}/${SPLIT_LOADER}`
  return `<script type="module">
import init, * as bindings from '${js}';
const wasm = await init({ module_or_path: '${wasm}' });
window.wasmBindings = bindings;
dispatchEvent(new CustomEvent("TrunkApplicationStarted", {detail: {wasm}}));
</script>
<link rel="modulepreload" href="${js}" crossorigin="anonymous" integrity="${jsIntegrity}">` +
    `<link rel="modulepreload" href="${splitLoader}" crossorigin="anonymous" integrity="${splitLoaderIntegrity}">` +
    `<link rel="preload" href="${wasm}" crossorigin="anonymous" integrity="${wasmIntegrity}" as="fetch" type="application/wasm">`
}

/// The staged page with the loader in place of its marker.
export function placeLoader (html, markup) {
  const marker = /<meta\b[^>]*\bdata-minty-app\b[^>]*>/i
  if (!marker.test(html)) throw new Error('index.html has no <meta name="minty-app" data-minty-app> to put the app in place of')
  return html.replace(marker, () => markup)
}

/// The folder name for a build: `app-` and the first 16 hex digits of the
/// SHA-256 over every file's name and bytes, in name order.
export function folderName (files) {
  const hash = createHash('sha256')
  for (const [name, bytes] of [...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    hash.update(`${name}\0${bytes.length}\0`).update(bytes)
  }
  return `app-${hash.digest('hex').slice(0, 16)}`
}

const integrity = (bytes) => `sha384-${createHash('sha384').update(bytes).digest('base64')}`

function run (tool, args, options = {}) {
  const result = spawnSync(tool, args, { stdio: ['ignore', 'inherit', 'inherit'], ...options })
  if (result.error) throw new Error(`${tool}: ${result.error.message}${result.error.code === 'ENOENT' ? ' (run `bash tests/tools/install.sh`)' : ''}`)
  if (result.status !== 0) {
    // What the tool said, when its messages were taken to be filtered.
    const said = Buffer.isBuffer(result.stderr) ? `:\n${result.stderr.toString().trim()}` : ''
    throw new Error(`${tool} ${args.join(' ')} exited with ${result.status ?? result.signal}${said}`)
  }
  return result
}

/// Builds the app's wasm with cargo and returns its path, as cargo reports it.
function cargoBuild (release, cwd) {
  const args = ['build', '--target=wasm32-unknown-unknown', '--bin', BIN, '--message-format=json-render-diagnostics']
  if (release) args.push('--release')
  const rustflags = [process.env.RUSTFLAGS, APP_RUSTFLAGS].filter(Boolean).join(' ')
  const result = run('cargo', args, { cwd, env: { ...process.env, RUSTFLAGS: rustflags }, stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 30 })
  const wasm = result.stdout.toString().split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line))
    .filter((message) => message.reason === 'compiler-artifact' && message.target.name === BIN && message.target.kind.includes('bin'))
    .flatMap((message) => message.filenames)
    .find((file) => file.endsWith('.wasm'))
  if (!wasm) throw new Error(`cargo built no ${BIN}.wasm`)
  return wasm
}

/// wasm-opt's messages but one: it warns, once per module, of the name
/// section's subsection 3 that wasm-split writes and binaryen 132 does not
/// read. Names are debug information, which -Oz drops anyway.
export function withoutNameWarnings (messages) {
  return messages.split('\n').filter((line) => !/^warning: unknown name subsection with id 3 at \d+$/.test(line)).join('\n')
}

/// The module `code`, minified. The names it exports stay, since the page's
/// loader and the split modules import by them; esbuild's warnings are left
/// out (wasm-bindgen's glue lists the split's loader once per import, which
/// it reports as a duplicate key).
export function minify (code, name) {
  return transformSync(code, { minify: true, format: 'esm', sourcefile: name, logLevel: 'error' }).code
}

/// Runs the four steps and returns the staged folder's files, by name.
function buildApp ({ release, cwd }) {
  const wasm = cargoBuild(release, cwd)
  const work = mkdtempSync(path.join(tmpdir(), 'minty-app-build-'))
  try {
    const split = path.join(work, 'split')
    const out = path.join(work, 'out')
    mkdirSync(out)
    run('wasm-split-cli', [wasm, split, '--out-name', BIN], { cwd })
    run('wasm-bindgen', ['--target=web', '--keep-lld-exports', '--no-demangle', '--no-typescript', `--out-dir=${out}`, `--out-name=${BIN}`, path.join(split, `${BIN}.wasm`)], { cwd })
    for (const name of readdirSync(split)) {
      if (name !== `${BIN}.wasm`) copyFileSync(path.join(split, name), path.join(out, name))
    }
    if (release) {
      for (const name of readdirSync(out).filter((name) => name.endsWith('.wasm'))) {
        const file = path.join(out, name)
        const { stderr } = run('wasm-opt', ['-Oz', `--output=${file}`, file], { cwd, stdio: ['ignore', 'inherit', 'pipe'] })
        process.stderr.write(withoutNameWarnings(stderr.toString()))
      }
      for (const name of readdirSync(out, { recursive: true }).filter((name) => name.endsWith('.js'))) {
        const file = path.join(out, name)
        writeFileSync(file, minify(readFileSync(file, 'utf8'), name))
      }
    }
    // wasm-bindgen may add a `snippets/` folder of inline JS modules.
    return new Map(readdirSync(out, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => path.relative(out, path.join(entry.parentPath, entry.name)))
      .map((name) => [name, readFileSync(path.join(out, name))]))
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}

// As the hook: build, stage, put the loader into the staged page, and seal
// the page with its Content-Security-Policy, which hashes that loader.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    const staging = process.env.TRUNK_STAGING_DIR
    if (!staging) throw new Error('run by trunk as a build hook (TRUNK_STAGING_DIR is not set)')
    const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
    const files = buildApp({ release: process.env.TRUNK_PROFILE === 'release', cwd: repoRoot })
    const folder = folderName(files)
    for (const [name, bytes] of files) {
      const file = path.join(staging, folder, name)
      mkdirSync(path.dirname(file), { recursive: true })
      writeFileSync(file, bytes)
    }
    const page = path.join(staging, 'index.html')
    const markup = loaderMarkup(folder, {
      jsIntegrity: integrity(files.get(`${BIN}.js`)),
      wasmIntegrity: integrity(files.get(`${BIN}_bg.wasm`)),
      splitLoaderIntegrity: integrity(files.get(SPLIT_LOADER))
    })
    const html = placeLoader(readFileSync(page, 'utf8'), markup)
    writeFileSync(page, sealPage(html, { loopbackOrigins: loopbackOrigins(process.env) }))
  } catch (error) {
    console.error(`app-build: ${error.message}`)
    process.exit(1)
  }
}
