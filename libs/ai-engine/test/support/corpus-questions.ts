/**
 * Questions over the shared corpus whose answer sits in one passage, each
 * with a phrase that identifies that passage (whitespace and box borders
 * collapsed).
 */
export const CORPUS_QUESTIONS: ReadonlyArray<{
  question: string;
  document: string;
  passage: string;
}> = [
  {
    document: 'bsd',
    question: 'What must a redistribution of source code retain?',
    passage: 'Redistributions of source code must retain',
  },
  {
    document: 'bsd',
    question: 'What must redistributions in binary form reproduce in the documentation?',
    passage: 'Redistributions in binary form must reproduce',
  },
  {
    document: 'bsd',
    question: 'May the name of the University be used to endorse or promote products?',
    passage: 'Neither the name of the University',
  },
  {
    document: 'apache',
    question: 'What does Legal Entity mean?',
    passage: '"Legal Entity" shall mean',
  },
  {
    document: 'apache',
    question: 'What happens to my patent licenses if I institute patent litigation?',
    passage: 'institute patent litigation',
  },
  {
    document: 'apache',
    question: 'Must modified files carry prominent notices that I changed them?',
    passage: 'modified files to carry prominent notices',
  },
  {
    document: 'apache',
    question: 'What if the Work includes a NOTICE text file?',
    passage: 'includes a "NOTICE" text file',
  },
  {
    document: 'apache',
    question: 'Does the License let me use the trade names and trademarks of the Licensor?',
    passage: 'does not grant permission to use the trade names',
  },
  {
    document: 'apache',
    question: 'Is the Work provided AS IS, without warranties or conditions?',
    passage: 'on an "AS IS" BASIS, WITHOUT WARRANTIES',
  },
  {
    document: 'apache',
    question: 'Can I offer support or warranty for a fee when I redistribute?',
    passage: 'You may choose to offer',
  },
  {
    document: 'apache',
    question: 'How do I apply the Apache License to my work?',
    passage: 'How to apply the Apache License to your work',
  },
  {
    document: 'apache',
    question:
      "What are the Apache License's conditions for redistribution in Source or Object form?",
    passage: 'You may reproduce and distribute copies of the Work',
  },
  {
    document: 'mpl',
    question: 'What does Executable Form mean?',
    passage: '"Executable Form" means any form of the work other than Source Code Form',
  },
  {
    document: 'mpl',
    question: 'When do the rights granted under the License terminate?',
    passage: 'will terminate automatically',
  },
  {
    document: 'mpl',
    question: 'Can I distribute a Larger Work under terms of my choice?',
    passage: 'create and distribute a Larger Work under terms of Your choice',
  },
  {
    document: 'mpl',
    question: 'Which courts may hear litigation relating to this License?',
    passage: 'courts of a jurisdiction where the defendant maintains',
  },
  {
    document: 'mpl',
    question: 'Who is the license steward that may publish new versions?',
    passage: 'Mozilla Foundation is the license steward',
  },
  {
    document: 'mpl',
    question:
      'Is any Contributor liable for indirect, special, incidental or consequential damages?',
    passage: 'Under no circumstances and under no legal theory',
  },
  {
    document: 'mpl',
    question: 'What does the Incompatible With Secondary Licenses notice say?',
    passage: 'This Source Code Form is "Incompatible With Secondary Licenses", as defined',
  },
];

export function normalisePassage(text: string): string {
  return text.replace(/[\s*]+/g, ' ');
}
