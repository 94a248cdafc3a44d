/** Placeholder: filled in by its owner. */
export function ReportPage ({ id, printable = false }: { id: string, printable?: boolean }) {
  return <p class="notice">report {id} {printable ? "print" : ""}</p>
}
