import { ApiProblem } from '../api/problem';

/** An API error as the server stated it: the problem's title, detail and field errors. */
export function ProblemMessage({ error }: { error: unknown }) {
  if (!error) return null;
  if (error instanceof ApiProblem) {
    const { title, detail, errors, status, request_id: requestId } = error.problem;
    return (
      <div className="problem" role="alert">
        <strong>{title}</strong> <span className="muted">({status})</span>
        {detail && <p>{detail}</p>}
        {errors && errors.length > 0 && (
          <ul>
            {errors.map((entry) => (
              <li key={entry.field}>
                <code>{entry.field}</code>: {entry.message}
              </li>
            ))}
          </ul>
        )}
        {requestId && <p className="muted small">request {requestId}</p>}
      </div>
    );
  }
  return (
    <div className="problem" role="alert">
      <strong>Request failed</strong>
      <p>{error instanceof Error ? error.message : JSON.stringify(error)}</p>
    </div>
  );
}
