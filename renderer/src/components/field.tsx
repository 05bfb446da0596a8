import { useId, useState, type ReactNode, type Ref } from 'react';

/** A message under a field: already translated text, shown once the field was left or a submit tried. */
export type FieldError = string | null;

/** Props of {@link TextField}. */
export interface TextFieldProps {
  label: ReactNode;
  /** The text exactly as typed (never reformatted while the clerk types). */
  value: string;
  onChange: (text: string) => void;
  /** Why the current text is not acceptable, or null. */
  error?: FieldError;
  /** A warning that does not block (e.g. "will be cut on the printed cover"). */
  warning?: string | null;
  /** Show the error even before the field was left (a submit was tried). */
  revealError?: boolean;
  hint?: ReactNode;
  testId?: string;
  mono?: boolean;
  wide?: boolean;
  required?: boolean;
  placeholder?: string;
  /** `numeric` brings up a number keypad and right-aligns; the text is still what was typed. */
  inputMode?: 'text' | 'numeric' | 'decimal';
  type?: 'text' | 'password';
  autoComplete?: string;
  maxLength?: number;
  inputRef?: Ref<HTMLInputElement>;
  /** Enter in the field (e.g. submit the form). */
  onEnter?: () => void;
  className?: string;
}

/**
 * The one text/number field of the app: keeps the typed text, validates when left and on submit,
 * and marks itself red with the message right under it (linked for screen readers).
 */
export function TextField({ inputRef, ...props }: TextFieldProps) {
  const id = useId();
  const [left, setLeft] = useState(false);
  const showError = Boolean(props.error) && (left || props.revealError === true);
  const messageId = `${id}-message`;
  const classes = ['field', props.wide ? 'wide' : '', props.required ? 'required' : '', showError ? 'field-invalid' : '', props.className ?? ''].filter(Boolean).join(' ');
  return (
    <div className={classes}>
      <label htmlFor={id}>{props.label}</label>
      <input
        id={id}
        ref={inputRef}
        type={props.type ?? 'text'}
        inputMode={props.inputMode === 'text' ? undefined : props.inputMode}
        className={[props.mono ? 'mono' : '', props.inputMode === 'numeric' || props.inputMode === 'decimal' ? 'numeric' : ''].filter(Boolean).join(' ') || undefined}
        value={props.value}
        placeholder={props.placeholder}
        spellCheck={false}
        autoComplete={props.autoComplete ?? 'off'}
        maxLength={props.maxLength}
        required={props.required}
        aria-invalid={showError}
        aria-describedby={showError || props.warning || props.hint ? messageId : undefined}
        data-testid={props.testId}
        onChange={(event) => props.onChange(event.currentTarget.value)}
        onBlur={() => setLeft(true)}
        onKeyDown={(event) => {
          if (event.key === 'Enter' && props.onEnter) {
            event.preventDefault();
            setLeft(true);
            props.onEnter();
          }
        }}
      />
      <div id={messageId} className="field-message">
        {showError ? (
          <span className="field-error" data-testid={props.testId ? `${props.testId}-error` : undefined}>
            {props.error}
          </span>
        ) : props.warning ? (
          <span className="field-warning" data-testid={props.testId ? `${props.testId}-warning` : undefined}>
            {props.warning}
          </span>
        ) : (
          props.hint && <span className="hint">{props.hint}</span>
        )}
      </div>
    </div>
  );
}
