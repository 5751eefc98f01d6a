// What the bench scripts share: where their files go, a PATH with the
// project's tools first, and random input files that are kept between runs.
import { closeSync, existsSync, mkdirSync, openSync, statSync, writeSync } from 'node:fs'
import path from 'node:path'
import { randomBytes } from 'node:crypto'
import { repoRoot } from '../e2e/harness.mjs'

export const MiB = 1024 * 1024
export const benchDir = path.join(repoRoot, 'target/bench')
mkdirSync(benchDir, { recursive: true })

export const env = {
  ...process.env,
  PATH: `${path.join(repoRoot, 'node_modules/.bin')}:${process.env.HOME}/.cargo/bin:${process.env.PATH}`
}

/// Progress goes to stderr, so stdout holds only the figures.
export function step (message) { console.error(`--> ${message}`) }

/// A file of random bytes under target/bench, written once and reused while
/// its size is right.
export function randomFile (name, size) {
  const file = path.join(benchDir, name)
  if (existsSync(file) && statSync(file).size === size) return file
  const fd = openSync(file, 'w')
  for (let written = 0; written < size; written += MiB) writeSync(fd, randomBytes(Math.min(MiB, size - written)))
  closeSync(fd)
  return file
}

/// Megabytes (10^6) per second.
export const mbps = (bytes, seconds) => bytes / 1e6 / seconds
