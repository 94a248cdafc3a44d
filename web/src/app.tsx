import type { ComponentChildren } from 'preact'
import { useEffect } from 'preact/hooks'
import { apiKey, signOut } from './session.js'
import { useSignal } from './state.js'
import { LANGUAGES, language, useStrings, type Strings } from './i18n.js'
import { href, navigate, useRoute, type Route } from './router.js'
import { SignInPage } from './pages/sign-in.js'
import { AnalysesPage } from './pages/analyses.js'
import { NewRecordingPage } from './pages/new-recording.js'
import { ReportPage } from './pages/report.js'
import { LivePage } from './pages/live.js'

const STRINGS: Strings<'analyses' | 'record' | 'live' | 'signOut' | 'notFound' | 'language'> = {
  en: { analyses: 'Analyses', record: 'New recording', live: 'Live practice', signOut: 'Sign out', notFound: 'There is no page at', language: 'Language' },
  ko: { analyses: '분석 목록', record: '새 녹화', live: '실시간 연습', signOut: '로그아웃', notFound: '페이지가 없습니다:', language: '언어' }
}

const LANGUAGE_NAMES = { en: 'English', ko: '한국어' } as const

export function App () {
  const route = useRoute()
  const key = useSignal(apiKey)
  const signedIn = key !== null

  // Every page but sign-in needs a key; signing in (or out) moves to the right page.
  useEffect(() => {
    if (!signedIn && route.page !== 'sign-in') navigate({ page: 'sign-in' })
    if (signedIn && route.page === 'sign-in') navigate({ page: 'analyses' })
  }, [signedIn, route.page])

  if (route.page === 'print') return <ReportPage id={route.id} printable />
  return (
    <Frame route={route} signedIn={signedIn}>
      {signedIn || route.page === 'sign-in' ? <Page route={route} /> : null}
    </Frame>
  )
}

function Page ({ route }: { route: Route }) {
  const s = useStrings(STRINGS)
  switch (route.page) {
    case 'sign-in': return <SignInPage />
    case 'analyses': return <AnalysesPage />
    case 'new': return <NewRecordingPage />
    case 'live': return <LivePage />
    case 'report': return <ReportPage id={route.id} />
    case 'print': return <ReportPage id={route.id} printable />
    case 'not-found': return <p class="notice">{s.notFound} {route.path}</p>
  }
}

function Frame ({ route, signedIn, children }: { route: Route, signedIn: boolean, children: ComponentChildren }) {
  const s = useStrings(STRINGS)
  const current = useSignal(language)
  const tab = (to: Route, label: string) => (
    <a href={href(to)} class={route.page === to.page ? 'tab current' : 'tab'} aria-current={route.page === to.page ? 'page' : undefined}>{label}</a>
  )
  return (
    <div class="frame">
      <header class="top">
        <a class="brand" href={href({ page: 'analyses' })}>Candor</a>
        {signedIn && (
          <nav class="tabs">
            {tab({ page: 'analyses' }, s.analyses)}
            {tab({ page: 'new' }, s.record)}
            {tab({ page: 'live' }, s.live)}
          </nav>
        )}
        <div class="actions">
          <label class="language">
            <span class="visually-hidden">{s.language}</span>
            <select value={current} onChange={(e) => language.set((e.currentTarget.value as typeof LANGUAGES[number]))} data-testid="language">
              {LANGUAGES.map((l) => <option value={l} key={l}>{LANGUAGE_NAMES[l]}</option>)}
            </select>
          </label>
          {signedIn && <button type="button" class="link" onClick={signOut} data-testid="sign-out">{s.signOut}</button>}
        </div>
      </header>
      <main class="page">{children}</main>
    </div>
  )
}
