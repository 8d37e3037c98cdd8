/** Asks for the API token after the server answered 401; the token is kept in local storage. */
import { useState } from 'preact/hooks';
import { getToken, saveToken } from '../auth.js';

/** A modal form; saving the token reloads the current page's data. */
export function TokenPrompt() {
  const [value, setValue] = useState('');
  const hadToken = getToken() !== null;
  const onSubmit = (event: Event): void => {
    event.preventDefault();
    saveToken(value);
  };
  return (
    <div class="overlay" role="dialog" aria-modal="true" aria-labelledby="token-title">
      <form class="card token-prompt" data-testid="token-form" onSubmit={onSubmit}>
        <h2 id="token-title">API token needed</h2>
        <p>
          {hadToken ? 'The server refused the saved token.' : 'This server requires a token.'} Enter the value of{' '}
          <code>TRAWL_API_TOKEN</code>; it is kept in this browser only.
        </p>
        <label class="field">
          <span>Token</span>
          <input data-testid="token-input" type="password" autoComplete="off" required value={value} onInput={(e) => setValue(e.currentTarget.value)} autoFocus />
        </label>
        <div class="form-actions">
          <button type="submit" class="primary" data-testid="token-save">
            Save
          </button>
        </div>
      </form>
    </div>
  );
}
