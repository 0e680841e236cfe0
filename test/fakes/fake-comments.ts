import type { ScriptedResponse } from './loopback-server.js';

export interface FakeComment {
  id: number;
  body: string;
  /** The order each edit landed in, across every comment of the fake. */
  edits: number;
}

/**
 * Change-request comments for the forge fakes: one list per repository and change request, oldest
 * first, as GitHub, GitLab and Gitea list them; each edit replaces the body.
 */
export class FakeComments {
  readonly byChangeRequest = new Map<string, FakeComment[]>();
  #nextId = 1000;
  #edits = 0;

  of(repository: string, changeRequest: number): FakeComment[] {
    return this.byChangeRequest.get(`${repository}#${changeRequest}`) ?? [];
  }

  list(repository: string, changeRequest: number, shape: (comment: FakeComment) => object): ScriptedResponse {
    return { status: 200, body: this.of(repository, changeRequest).map(shape) };
  }

  create(repository: string, changeRequest: number, body: string, shape: (comment: FakeComment) => object) {
    const comment = { id: this.#nextId++, body, edits: ++this.#edits };
    this.byChangeRequest.set(`${repository}#${changeRequest}`, [
      ...this.of(repository, changeRequest),
      comment,
    ]);
    return { status: 201, body: shape(comment) };
  }

  edit(id: number, body: string, shape: (comment: FakeComment) => object): ScriptedResponse {
    for (const comments of this.byChangeRequest.values()) {
      const comment = comments.find((each) => each.id === id);
      if (comment === undefined) continue;
      Object.assign(comment, { body, edits: ++this.#edits });
      return { status: 200, body: shape(comment) };
    }
    return { status: 404, body: { message: 'Not Found' } };
  }
}
