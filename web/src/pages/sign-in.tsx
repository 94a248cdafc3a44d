/** Placeholder: filled in by its owner. */
export function SignInPage () {
  return <p class="notice">sign-in</p>
}
