/**
 * The report on paper: the print route (`#/analyses/ID/print`, the report without the app's
 * frame) laid out for A4 by print.css, and the button that opens it in a new tab and prints it
 * (the browser's print dialog saves a PDF too). The new tab inherits this tab's session storage
 * (the key, and a one-time "print me" flag), so it is signed in and prints itself once the
 * scores are on the page (`useAutoPrint`, called by the scores section).
 */
import { useEffect } from 'preact/hooks'
import { useStrings, type Strings } from '../../i18n.js'
import { href, navigate, useRoute } from '../../router.js'
import './print.css'

/** sessionStorage item: the id of the report a new print tab should print once loaded. */
export const PRINT_ITEM = 'candor.print'

const STRINGS: Strings<'print' | 'printHere' | 'hint'> = {
  en: { print: 'Print or save as PDF', printHere: 'Print / save as PDF', hint: 'Opens a printable copy of the report; choose "Save as PDF" as the printer to keep a file.' },
  ko: { print: '인쇄 또는 PDF 저장', printHere: '인쇄 / PDF 저장', hint: '보고서를 인쇄용으로 엽니다. 파일로 저장하려면 프린터에서 "PDF로 저장"을 고르세요.' }
}

/** Resolves once the fonts are in and every picture on the page has loaded or failed (at most `maxMs`). */
async function pageSettled (maxMs = 8000): Promise<void> {
  const images = Array.from(document.images).filter((image) => !image.complete)
  const loaded = Promise.all([
    document.fonts.ready,
    ...images.map((image) => new Promise<void>((resolve) => {
      image.addEventListener('load', () => resolve(), { once: true })
      image.addEventListener('error', () => resolve(), { once: true })
    }))
  ])
  await Promise.race([loaded, new Promise((resolve) => setTimeout(resolve, maxMs))])
  // Two frames: the layout of whatever just loaded is done before the page is printed.
  await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)))
}

/**
 * On the print route of report `id`, when this tab was opened to print it: prints once the
 * page has settled (the flag is cleared first, so a reload does not print again).
 */
export function useAutoPrint (id: string): void {
  const route = useRoute()
  const printable = route.page === 'print' && route.id === id
  useEffect(() => {
    if (!printable || sessionStorage.getItem(PRINT_ITEM) !== id) return
    sessionStorage.removeItem(PRINT_ITEM)
    let cancelled = false
    void pageSettled().then(() => {
      if (cancelled) return
      document.documentElement.dataset.printRequested = id
      window.print()
    })
    return () => { cancelled = true }
  }, [printable, id])
}

/**
 * In the report: opens the print route in a new tab, which prints itself (or, when the browser
 * blocks the tab, moves this one there). On the print route: prints this page.
 */
export function PrintButton ({ id }: { id: string }) {
  const s = useStrings(STRINGS)
  const route = useRoute()
  if (route.page === 'print') {
    return <button type="button" class="secondary rt-print-button rt-no-print" data-testid="print" onClick={() => window.print()}>{s.printHere}</button>
  }
  const open = () => {
    sessionStorage.setItem(PRINT_ITEM, id)
    const opened = window.open(href({ page: 'print', id }), '_blank')
    if (opened) {
      sessionStorage.removeItem(PRINT_ITEM) // the new tab has its own copy
      return
    }
    navigate({ page: 'print', id })
  }
  return (
    <button type="button" class="secondary rt-print-button rt-no-print" data-testid="print" title={s.hint} onClick={open}>
      <svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true"><path fill="currentColor" d="M6 2h12v5h-2V4H8v3H6zM4 8h16a2 2 0 0 1 2 2v7h-4v5H6v-5H2v-7a2 2 0 0 1 2-2m4 8v4h8v-4zm10-5a1 1 0 1 0 0 2 1 1 0 0 0 0-2" /></svg>
      {s.print}
    </button>
  )
}
