/**
 * A throwaway MariaDB server of our own (data in a folder we own, root without a password, a
 * port nobody else uses), so a fault run can stop and restart it without touching the shared
 * one. stop() is a real shutdown (SIGTERM, InnoDB closes its files) and start() a real
 * start-up on the same data and port.
 */
import fs from 'node:fs'
import path from 'node:path'
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import mariadb from 'mariadb'
import { waitFor } from './environment.js'

const MARIADBD = ['/usr/sbin/mariadbd', '/usr/bin/mariadbd', '/usr/sbin/mysqld'].find((file) => fs.existsSync(file)) ?? 'mariadbd'

export class PrivateMariaDb {
  private process?: ChildProcess
  private exited?: Promise<void>
  constructor (readonly dir: string, readonly port: number) {}

  /** mariadb://root@127.0.0.1:<port>/<database> */
  url (database: string): string { return `mariadb://root@127.0.0.1:${this.port}/${database}` }

  get running (): boolean { return Boolean(this.process && this.process.exitCode === null && this.process.signalCode === null) }

  private get dataDir (): string { return path.join(this.dir, 'data') }
  private get logFile (): string { return path.join(this.dir, 'mariadb.log') }

  /** Creates the data folder the first time (a few seconds), then starts the server. */
  async start (): Promise<void> {
    if (this.running) return
    if (!fs.existsSync(path.join(this.dataDir, 'mysql'))) this.install()
    const log = fs.openSync(this.logFile, 'a')
    // --no-defaults: nothing from the machine's /etc/mysql; utf8mb4 as Debian's config would set.
    this.process = spawn(MARIADBD, [
      '--no-defaults', `--datadir=${this.dataDir}`, `--port=${this.port}`, '--bind-address=127.0.0.1',
      `--socket=${path.join(this.dir, 'mariadb.sock')}`, `--pid-file=${path.join(this.dir, 'mariadb.pid')}`,
      '--user=root', '--skip-name-resolve', '--character-set-server=utf8mb4', '--collation-server=utf8mb4_general_ci',
      '--innodb-buffer-pool-size=64M', '--max-connections=500'
    ], { stdio: ['ignore', log, log] })
    fs.closeSync(log)
    const child = this.process
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()))
    const died = this.exited.then(() => { throw new Error(`mariadbd exited while starting; see ${this.logFile}`) })
    await Promise.race([waitFor(`mariadbd on ${this.port}`, () => this.answers(), 60_000, 100), died])
  }

  /** SIGTERM and wait for a clean shutdown (SIGKILL after `graceMs`). */
  async stop (graceMs = 60_000): Promise<void> {
    const child = this.process
    if (!child || !this.running) return
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
    await this.exited
    clearTimeout(timer)
  }

  /** True once it takes queries over TCP (an open port alone comes earlier). */
  private async answers (): Promise<true | undefined> {
    const connection = await mariadb.createConnection({ host: '127.0.0.1', port: this.port, user: 'root', connectTimeout: 1000 }).catch(() => null)
    if (!connection) return undefined
    await connection.end()
    return true
  }

  private install (): void {
    fs.mkdirSync(this.dir, { recursive: true })
    const log = fs.openSync(this.logFile, 'a')
    const done = spawnSync('mariadb-install-db', [
      '--no-defaults', `--datadir=${this.dataDir}`, '--user=root', '--auth-root-authentication-method=normal', '--skip-test-db'
    ], { stdio: ['ignore', log, log], timeout: 120_000 })
    fs.closeSync(log)
    if (done.status !== 0) throw new Error(`mariadb-install-db failed (${done.status ?? done.signal}); see ${this.logFile}`)
  }
}
