import { codePointBoundary } from '@docuthinker/contracts';
import type { AiTaskName, AnswerRequest, TaskInput } from '../tasks/task-types';

export interface Prompt {
  readonly system: string;
  readonly user: string;
}

/** Long documents are cut so a prompt stays within every provider's context window. */
export const MAX_PROMPT_DOCUMENT_CHARS = 60000;

const SYSTEM =
  'You are DocuThinker, a careful document analyst. Use only the document you are given; do not invent facts. ' +
  'Answer in plain text without preamble.';

const LINES = 'Return one item per line, each starting with "- ", and nothing else.';

/** How many items a list task asks the model for, unless the caller says. */
const DEFAULT_ITEMS: Partial<Record<AiTaskName, number>> = {
  'key-ideas': 5,
  'discussion-points': 5,
  'bullet-summary': 6,
  recommendations: 5,
  topics: 10,
};

/** The most items a list task's answer may hold: what the prompt asks for. */
export function requestedItems(task: AiTaskName, input: TaskInput): number | undefined {
  return input.options?.maxItems ?? DEFAULT_ITEMS[task];
}

/** Whether the document was cut to fit the prompt, so an answer covers only its start. */
export function documentTruncated(input: TaskInput): boolean {
  return input.text.length > MAX_PROMPT_DOCUMENT_CHARS;
}

function documentBlock(input: TaskInput): string {
  // Cut off the middle of a surrogate pair: half of one in the prompt's JSON
  // made a strict provider refuse the request (found in review).
  const text = documentTruncated(input)
    ? `${input.text.slice(0, codePointBoundary(input.text, 0, MAX_PROMPT_DOCUMENT_CHARS))}\n[document truncated]`
    : input.text;
  return `${input.title ? `Title: ${input.title}\n` : ''}Document:\n"""\n${text}\n"""`;
}

const INSTRUCTIONS: Record<AiTaskName, (input: TaskInput) => string> = {
  summary: () => 'Summarise the document in one paragraph of at most six sentences.',
  'key-ideas': (input) =>
    `List the ${requestedItems('key-ideas', input)} key ideas of the document. ${LINES}`,
  'discussion-points': (input) =>
    `Write ${requestedItems('discussion-points', input)} open questions for discussing the document. ${LINES}`,
  'bullet-summary': (input) =>
    `Summarise the document as at most ${requestedItems('bullet-summary', input)} bullet points. ${LINES}`,
  'summary-in-language': (input) =>
    `Summarise the document in one paragraph of at most six sentences, written in ${input.options?.language ?? 'English'}.`,
  rewrite: (input) =>
    `Rewrite the document in a ${input.options?.style ?? 'concise'} style, keeping its meaning. Return only the rewritten text.`,
  recommendations: (input) =>
    `Give ${requestedItems('recommendations', input)} concrete recommendations for a reader of the document. ${LINES}`,
  'refine-summary': (input) =>
    `Here is a summary of the document:\n"""\n${input.options?.summary ?? ''}\n"""\n` +
    `Refine it following these instructions: ${input.options?.instructions ?? 'make it clearer'}. Return only the refined summary.`,
  sentiment: () =>
    'Assess the overall sentiment of the document. Return only JSON: ' +
    '{"score": <number from -1 to 1>, "label": "positive" | "negative" | "neutral" | "mixed", "description": "<one sentence>"}',
  topics: (input) =>
    `Identify the document's ${requestedItems('topics', input)} key phrases and its named entities. Return only JSON: ` +
    '{"keyPhrases": ["..."], "entities": [{"name": "...", "type": "organization" | "acronym" | "name"}]}',
};

export function taskPrompt(task: AiTaskName, input: TaskInput): Prompt {
  return { system: SYSTEM, user: `${documentBlock(input)}\n\n${INSTRUCTIONS[task](input)}` };
}

export function answerPrompt(request: AnswerRequest): Prompt {
  const passages = request.passages
    .map(
      (passage, index) =>
        `[${index + 1}]${passage.title ? ` (${passage.title})` : ''} ${passage.text}`,
    )
    .join('\n\n');
  const history = (request.history ?? [])
    .slice(-6)
    .map((message) => `${message.role}: ${message.content}`)
    .join('\n');
  return {
    system:
      `${SYSTEM} Answer the question from the numbered passages only and cite the passages you use as [n]. ` +
      'If the passages do not contain the answer, say so.',
    user: `${history ? `Conversation so far:\n${history}\n\n` : ''}Passages:\n${passages}\n\nQuestion: ${request.question}`,
  };
}
