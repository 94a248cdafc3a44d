/**
 * Debian's Chromium, headless, with a throw-away profile, and no way to reach the internet.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { launch, type Browser } from 'puppeteer-core'

export const chromiumPath = '/usr/bin/chromium'

/** Flags for a Chromium whose only server is `origin`; README.md says how each was found. */
export function chromiumFlags (origin: string): string[] {
  return [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-quic',
    // tasks-vision uploads every frame to a WebGL texture, even with the CPU delegate. With
    // --disable-gpu that WebGL is SwiftShader; Chromium 156 still falls back to it on its own but
    // warns that the automatic fallback is deprecated, so opt in explicitly (the page is ours).
    '--enable-unsafe-swiftshader',
    // Chromium itself still asks Google for the network time, for an Optimization Guide
    // component and for ListAccounts whatever the flags above say (seen with --log-net-log):
    // turn off the first and send the other two to the local server, which answers 404...
    '--disable-features=NetworkTimeServiceQuerying',
    `--component-updater=url-source=${origin}/not-served/component-updater`,
    `--gaia-url=${origin}/`,
    // ...and make any other host name fail inside Chromium, before a DNS query could leave it.
    '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1'
  ]
}

export interface Chromium {
  browser: Browser
  close (): Promise<void>
}

/** `extraArgs`: more flags (the web app's tests add a fake camera and microphone). */
export async function launchChromium (origin: string, extraArgs: string[] = []): Promise<Chromium> {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'candor-chromium-'))
  const removeProfile = () => fs.rmSync(profile, { recursive: true, force: true, maxRetries: 3 })
  // A test that dies without close() must not leave profiles behind; puppeteer kills Chromium.
  process.once('exit', removeProfile)
  let browser: Browser
  try {
    browser = await launch({
      executablePath: chromiumPath,
      // '--headless' is in the flags, so puppeteer must not add its own '--headless=new' too.
      headless: false,
      args: [...chromiumFlags(origin), `--user-data-dir=${profile}`, ...extraArgs],
      // DevTools over a pipe rather than a debugging port on localhost.
      pipe: true,
      defaultViewport: null,
      protocolTimeout: 300_000
    })
  } catch (error) {
    process.off('exit', removeProfile)
    removeProfile()
    throw error
  }
  let closing: Promise<void> | undefined
  return {
    browser,
    close () {
      closing ??= browser.close()
        .catch(() => { browser.process()?.kill('SIGKILL') })
        .then(() => {
          process.off('exit', removeProfile)
          removeProfile()
        })
      return closing
    }
  }
}
