import { render } from 'preact';
function App() { return <h1>hello</h1>; }
render(<App />, document.getElementById('app')!);
