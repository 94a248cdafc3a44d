/** The web app's entry: the frame (header, language, sign out) around the page the route names. */
import { render } from 'preact'
import './styles/base.css'
import { App } from './app.js'

render(<App />, document.getElementById('app')!)
