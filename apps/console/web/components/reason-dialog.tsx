import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ErrorNote } from './feedback';

export interface ReasonDialogProps {
  title: string;
  /** What will happen, in a sentence. */
  children?: ComponentChildren;
  confirm: string;
  reasonLabel?: string;
  reasonRequired?: boolean;
  danger?: boolean;
  /** Extra fields (e.g. a checkbox) rendered above the reason. */
  extra?: ComponentChildren;
  onConfirm(reason: string): Promise<void>;
  onClose(): void;
}

/**
 * A modal confirmation that asks why (for the audit log): the native <dialog>, so focus is
 * trapped and Escape closes it; the reason field has focus when it opens.
 */
export function ReasonDialog(props: ReasonDialogProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error>();
  useEffect(() => {
    dialog.current?.showModal();
  }, []);
  const required = props.reasonRequired ?? true;
  const submit = async (event: Event) => {
    event.preventDefault();
    if (required && !reason.trim()) {
      setError(new Error('Say why: the reason goes to the audit log.'));
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      await props.onConfirm(reason.trim());
      dialog.current?.close();
      props.onClose();
    } catch (e) {
      setError(e as Error);
      setBusy(false);
    }
  };
  return (
    <dialog ref={dialog} class="dialog" aria-labelledby="dialog-title" onClose={props.onClose} onCancel={props.onClose}>
      <form method="dialog" onSubmit={submit}>
        <h2 id="dialog-title">{props.title}</h2>
        {props.children}
        {props.extra}
        <label for="dialog-reason">
          {props.reasonLabel ?? 'Reason'}
          {required ? ' (required)' : ' (optional)'}
        </label>
        <textarea
          id="dialog-reason"
          rows={3}
          value={reason}
          required={required}
          autoFocus
          onInput={(e) => setReason((e.target as HTMLTextAreaElement).value)}
        />
        <ErrorNote error={error} />
        <div class="actions">
          <button type="submit" class={props.danger ? 'danger' : 'primary'} disabled={busy}>
            {busy ? 'Working…' : props.confirm}
          </button>
          <button
            type="button"
            onClick={() => {
              dialog.current?.close();
              props.onClose();
            }}
          >
            Cancel
          </button>
        </div>
      </form>
    </dialog>
  );
}
