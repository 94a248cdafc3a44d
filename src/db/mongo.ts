/**
 * MongoDB client. The driver connects lazily and reconnects by itself, so creating the client
 * never fails because the server is down: operations wait up to serverSelectionTimeoutMS and
 * readiness reports the outage.
 */
import { MongoClient, type Db } from 'mongodb'

export interface Mongo { client: MongoClient, db: Db }

export function createMongo (url: string): Mongo {
  const client = new MongoClient(url, {
    appName: 'candor',
    serverSelectionTimeoutMS: 5000,
    connectTimeoutMS: 3000,
    maxPoolSize: 20
  })
  // The database named in the URL path, as the driver reads it; "candor" when there is none.
  const named = new URL(url.replace(/^mongodb\+srv:/, 'mongodb:')).pathname.replace(/^\//, '')
  return { client, db: client.db(named || 'candor') }
}
