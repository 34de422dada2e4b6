/** An RFC 9457 problem document as the API answers errors (docs/problems.md). */
export interface ProblemBody {
  type?: string;
  title: string;
  status: number;
  code?: string;
  detail?: string;
  errors?: { field: string; message: string }[];
  request_id?: string;
  [member: string]: unknown;
}

/** A refused or failed API call, carrying the server's problem so the page can show its title and detail. */
export class ApiProblem extends Error {
  constructor(readonly problem: ProblemBody) {
    super(problem.detail ? `${problem.title}: ${problem.detail}` : problem.title);
    this.name = 'ApiProblem';
  }

  get status(): number {
    return this.problem.status;
  }
}

export async function problemOf(response: Response): Promise<ApiProblem> {
  const text = await response.text();
  try {
    const body = JSON.parse(text) as Partial<ProblemBody>;
    return new ApiProblem({ ...body, title: body.title ?? response.statusText, status: response.status });
  } catch {
    return new ApiProblem({
      title: response.statusText || 'Request failed',
      status: response.status,
      detail: text.slice(0, 300),
    });
  }
}
