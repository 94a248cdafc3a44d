/**
 * Sign in with an API key. The key is checked with a real call (the newest analysis) before it
 * is kept, so a wrong, revoked or read-less key is refused here with the server's own message.
 */
import { useState } from 'preact/hooks'
import { ApiError, request } from '../api/client.js'
import { signIn } from '../session.js'
import { format, useStrings, type Strings } from '../i18n.js'
import './sign-in/sign-in.css'

const STRINGS: Strings<'title' | 'lead' | 'key' | 'placeholder' | 'submit' | 'checking' | 'empty' | 'refused' | 'unreachable' |
'whatTitle' | 'what' | 'where' | 'scopes' | 'stored'> = {
  en: {
    title: 'Sign in to Candor',
    lead: 'Practise interviews and presentations: record yourself, and Candor reads your eye contact, expressions, voice and posture and tells you what to work on.',
    key: 'API key',
    placeholder: 'cnd_…',
    submit: 'Sign in',
    checking: 'Checking…',
    empty: 'Paste your API key first.',
    refused: 'The key was refused: {message}',
    unreachable: 'Candor could not be reached ({message}). Check your connection and try again.',
    whatTitle: 'What is an API key?',
    what: 'A key is a password for Candor\'s API. It belongs to a team (a tenant): you see that team\'s analyses and your uploads are stored in its space.',
    where: 'Whoever runs Candor creates keys on the server with',
    scopes: 'It needs the scopes analyses:read and analyses:write (the default). The key is shown only once when it is made; if it is lost, create a new one.',
    stored: 'This tab keeps the key until you sign out or close it; it is never written to disk.'
  },
  ko: {
    title: 'Candor 로그인',
    lead: '면접과 발표를 연습해 보세요. 직접 녹화하면 Candor가 시선, 표정, 목소리, 자세를 읽고 무엇을 다듬으면 좋을지 알려 드립니다.',
    key: 'API 키',
    placeholder: 'cnd_…',
    submit: '로그인',
    checking: '확인하는 중…',
    empty: 'API 키를 먼저 붙여 넣어 주세요.',
    refused: '키가 거부되었습니다: {message}',
    unreachable: 'Candor에 연결할 수 없습니다({message}). 연결 상태를 확인한 뒤 다시 시도해 주세요.',
    whatTitle: 'API 키란?',
    what: 'API 키는 Candor API를 쓰기 위한 비밀번호입니다. 키는 한 팀(테넌트)에 속하며, 그 팀의 분석을 보고 업로드한 영상도 그 팀의 공간에 저장됩니다.',
    where: 'Candor를 운영하는 사람이 서버에서 다음 명령으로 키를 만듭니다:',
    scopes: '키에는 analyses:read와 analyses:write 권한이 필요합니다(기본값). 키는 만들 때 한 번만 보이므로, 잃어버렸다면 새로 만들어야 합니다.',
    stored: '키는 로그아웃하거나 탭을 닫을 때까지 이 탭에만 보관되며 디스크에는 저장되지 않습니다.'
  }
}

export function SignInPage () {
  const s = useStrings(STRINGS)
  const [key, setKey] = useState('')
  const [checking, setChecking] = useState(false)
  const [problem, setProblem] = useState<string | null>(null)

  const submit = async (event: Event) => {
    event.preventDefault()
    const candidate = key.trim()
    if (!candidate) return setProblem(s.empty)
    setChecking(true)
    setProblem(null)
    try {
      await request('/analysis/recent', { query: { limit: 1 }, key: candidate })
      signIn(candidate)
    } catch (error) {
      if (error instanceof ApiError) setProblem(format(s.refused, { message: error.message }))
      else setProblem(format(s.unreachable, { message: error instanceof Error ? error.message : String(error) }))
    } finally {
      setChecking(false)
    }
  }

  return (
    <div class="sign-in">
      <section class="card sign-in-card">
        <h1>{s.title}</h1>
        <p class="sign-in-lead">{s.lead}</p>
        <form onSubmit={submit} noValidate>
          <label class="sign-in-label" for="api-key">{s.key}</label>
          <input
            id="api-key" data-testid="api-key" type="password" autocomplete="off" spellcheck={false}
            placeholder={s.placeholder} value={key} onInput={(e) => setKey(e.currentTarget.value)}
            aria-invalid={problem !== null} aria-describedby={problem ? 'sign-in-problem' : undefined}
          />
          {problem && <p class="error sign-in-problem" id="sign-in-problem" role="alert" data-testid="sign-in-error">{problem}</p>}
          <button type="submit" data-testid="sign-in" disabled={checking}>{checking ? s.checking : s.submit}</button>
        </form>
      </section>
      <aside class="sign-in-help">
        <h2>{s.whatTitle}</h2>
        <p>{s.what}</p>
        <p>{s.where}</p>
        <pre><code>npm run keys -- create --tenant dev</code></pre>
        <p>{s.scopes}</p>
        <p class="notice">{s.stored}</p>
      </aside>
    </div>
  )
}
