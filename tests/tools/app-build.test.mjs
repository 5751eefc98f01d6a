// The app's build hook (tests/tools/app-build.mjs): where the loader goes,
// and how the folder of a build is named. The build itself is exercised by
// every e2e story, which runs the app it produced.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, it } from 'node:test'
import { pathToFileURL } from 'node:url'
import assert from 'node:assert/strict'
import { folderName, loaderMarkup, minify, placeLoader, withoutNameWarnings } from './app-build.mjs'
import { sealPage } from './csp.mjs'

const SOURCE_PAGE = `<!DOCTYPE html><html><head>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'" data-minty-csp="">
<meta name="minty-app" data-minty-app="">
</head><body></body></html>`

describe('the app build hook', () => {
  it('names a build\'s folder by every file\'s name and bytes, whatever their order', () => {
    const files = [['minty.js', Buffer.from('glue')], ['minty_bg.wasm', Buffer.from([0, 97, 115, 109])]]
    const name = folderName(new Map(files))
    assert.match(name, /^app-[0-9a-f]{16}$/)
    assert.equal(folderName(new Map([...files].reverse())), name)
    assert.notEqual(folderName(new Map([files[0], ['minty_bg.wasm', Buffer.from([0, 97, 115, 110])]])), name)
    assert.notEqual(folderName(new Map([files[0], ['other.wasm', files[1][1]]])), name)
  })

  it('puts the loader in place of its marker, and the policy allows it by hash', () => {
    const markup = loaderMarkup('app-0123456789abcdef', { jsIntegrity: 'sha384-a', wasmIntegrity: 'sha384-b', splitLoaderIntegrity: 'sha384-c' })
    const html = sealPage(placeLoader(SOURCE_PAGE, markup))
    assert.doesNotMatch(html, /data-minty-app/)
    assert.match(html, /import init, \* as bindings from '\/app-0123456789abcdef\/minty\.js'/)
    assert.match(html, /module_or_path: '\/app-0123456789abcdef\/minty_bg\.wasm'/)
    assert.match(html, /<link rel="modulepreload" href="\/app-0123456789abcdef\/minty\.js" crossorigin="anonymous" integrity="sha384-a">/)
    assert.match(html, /<link rel="modulepreload" href="\/app-0123456789abcdef\/__wasm_split\.js" crossorigin="anonymous" integrity="sha384-c">/)
    assert.match(html, /script-src 'self' 'wasm-unsafe-eval' 'sha256-[A-Za-z0-9+/=]+'/)
  })

  it('refuses a page without the marker, rather than ship a page that loads nothing', () => {
    assert.throws(() => placeLoader('<html><head></head></html>', 'x'), /data-minty-app/)
  })

  it('minifies a module without renaming what it exports or imports', async () => {
    const source = `import * as loader from './__wasm_split.js';
export function packBlob (blobToPack, wrapAs) { return loader.load(blobToPack, wrapAs) }
export default async function initialise (moduleOrPath) { return moduleOrPath }`
    const code = minify(source, 'minty.js')
    assert.ok(code.length < source.length, code)
    const folder = mkdtempSync(path.join(tmpdir(), 'minty-minify-'))
    try {
      writeFileSync(path.join(folder, 'minty.js'), code)
      writeFileSync(path.join(folder, '__wasm_split.js'), 'export const load = (a, b) => [a, b]\n')
      const module = await import(pathToFileURL(path.join(folder, 'minty.js')))
      assert.deepEqual(module.packBlob(1, 2), [1, 2])
      assert.equal(await module.default('x'), 'x')
    } finally {
      rmSync(folder, { recursive: true, force: true })
    }
  })

  it('leaves out only wasm-opt\'s warning about the split\'s name subsection', () => {
    const messages = 'warning: unknown name subsection with id 3 at 36672\n[wasm-validator error] unexpected false\nwarning: unknown name subsection with id 4 at 12\n'
    assert.equal(withoutNameWarnings(messages), '[wasm-validator error] unexpected false\nwarning: unknown name subsection with id 4 at 12\n')
  })
})
