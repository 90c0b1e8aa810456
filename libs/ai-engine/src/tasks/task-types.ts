import { AI_TASK_NAMES } from '@docuthinker/contracts';
import type { KeyPhrase } from '../offline/key-phrases';
import type { NamedEntity } from '../offline/named-entities';
import type { SentimentResult } from '../offline/sentiment';

/** The task names are the gateway API's, defined once in libs/contracts. */
export const AI_TASKS = AI_TASK_NAMES;

export type AiTaskName = (typeof AI_TASKS)[number];

export function isAiTaskName(value: string): value is AiTaskName {
  return (AI_TASKS as readonly string[]).includes(value);
}

export interface TaskOptions {
  /** `summary-in-language`: the target language, e.g. "French" or "fr". */
  readonly language?: string;
  /** `rewrite`: e.g. "concise", "plain", "bullet-points", "formal". */
  readonly style?: string;
  /** `refine-summary`: the summary to refine. */
  readonly summary?: string;
  /** `refine-summary`: what to change, e.g. "shorter, focus on patents". */
  readonly instructions?: string;
  /** Upper bound for list outputs. */
  readonly maxItems?: number;
}

export interface TaskInput {
  readonly text: string;
  readonly title?: string;
  readonly options?: TaskOptions;
}

export interface TopicsOutput {
  readonly keyPhrases: readonly KeyPhrase[];
  readonly entities: readonly NamedEntity[];
}

export interface TaskOutputs {
  summary: string;
  'key-ideas': string[];
  'discussion-points': string[];
  'bullet-summary': string[];
  'summary-in-language': { language: string; text: string; translated: boolean };
  rewrite: { style: string; text: string };
  recommendations: string[];
  'refine-summary': string;
  sentiment: SentimentResult;
  topics: TopicsOutput;
}

/** A passage of retrieved context handed to a provider to answer from. */
export interface Passage {
  readonly id: string;
  readonly text: string;
  readonly title?: string;
}

export interface ChatMessage {
  readonly role: 'user' | 'assistant' | 'system';
  readonly content: string;
}

export interface AnswerRequest {
  readonly question: string;
  readonly passages: readonly Passage[];
  /** Earlier turns of a chat, oldest first, without the question itself. */
  readonly history?: readonly ChatMessage[];
}

export interface AnswerOutput {
  readonly answer: string;
  /** Indexes into the request's passages that the answer relies on. */
  readonly citedPassages: readonly number[];
  /** Per cited passage, how strongly it supports the answer (0..1), same order. */
  readonly support?: readonly number[];
  /** Per cited passage, the sentence the answer took from it, same order. */
  readonly quotes?: readonly string[];
}
