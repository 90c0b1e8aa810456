import { buildZip, type ZipEntrySpec } from './build-zip';

/** The smallest package structure mammoth and file-type accept as a Word document. */
export interface DocxBlueprint {
  heading?: string;
  paragraphs?: readonly string[];
  links?: readonly { text: string; target: string }[];
  /** Footnotes and endnotes, each referenced from a paragraph of its own after the body. */
  footnotes?: readonly DocxNote[];
  endnotes?: readonly DocxNote[];
  /** Replaces the generated word/document.xml, e.g. with an entity bomb. */
  documentXml?: string;
  /** Added after the document parts, e.g. a zip bomb. */
  extraEntries?: readonly ZipEntrySpec[];
}

/** A footnote or endnote: its text, then its links, then (with `image`) a 1×1 PNG. */
export interface DocxNote {
  text: string;
  links?: readonly { text: string; target: string }[];
  image?: boolean;
}

type NoteKind = 'footnote' | 'endnote';

const ONE_PIXEL_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

export const WORDPROCESSING_NAMESPACE =
  'http://schemas.openxmlformats.org/wordprocessingml/2006/main';
const R = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const PACKAGE_RELATIONSHIPS = 'http://schemas.openxmlformats.org/package/2006/relationships';

export function buildDocx(blueprint: DocxBlueprint): Uint8Array {
  const links = blueprint.links ?? [];
  const body = [
    ...(blueprint.heading === undefined ? [] : [paragraph(run(blueprint.heading), 'Heading1')]),
    ...(blueprint.paragraphs ?? []).map((text) => paragraph(run(text))),
    ...links.map((link, index) =>
      paragraph(`<w:hyperlink r:id="rIdLink${index}">${run(link.text)}</w:hyperlink>`),
    ),
    ...(blueprint.footnotes ?? []).map((_, index) => noteReference('footnote', index)),
    ...(blueprint.endnotes ?? []).map((_, index) => noteReference('endnote', index)),
  ].join('');
  const linkRelationships = linkRelationshipsOf(links);
  const noteParts = [
    ...notesParts('footnote', blueprint.footnotes),
    ...notesParts('endnote', blueprint.endnotes),
  ];
  const hasNotes = noteParts.length > 0;
  const noteRelationships = (['footnote', 'endnote'] as const)
    .filter((kind) => (kind === 'footnote' ? blueprint.footnotes : blueprint.endnotes)?.length)
    .map((kind) => `<Relationship Id="rId${kind}s" Type="${R}/${kind}s" Target="${kind}s.xml"/>`)
    .join('');

  return buildZip([
    {
      name: '[Content_Types].xml',
      content:
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
        '<Default Extension="xml" ContentType="application/xml"/>' +
        '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>' +
        '<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>' +
        (hasNotes ? '<Default Extension="png" ContentType="image/png"/>' : '') +
        '</Types>',
    },
    {
      name: '_rels/.rels',
      content: `<Relationships xmlns="${PACKAGE_RELATIONSHIPS}"><Relationship Id="rId1" Type="${R}/officeDocument" Target="word/document.xml"/></Relationships>`,
    },
    {
      name: 'word/document.xml',
      content:
        blueprint.documentXml ??
        `<w:document xmlns:w="${WORDPROCESSING_NAMESPACE}" xmlns:r="${R}"><w:body>${body}</w:body></w:document>`,
    },
    {
      name: 'word/_rels/document.xml.rels',
      content: `<Relationships xmlns="${PACKAGE_RELATIONSHIPS}"><Relationship Id="rIdStyles" Type="${R}/styles" Target="styles.xml"/>${linkRelationships}${noteRelationships}</Relationships>`,
    },
    ...noteParts,
    {
      name: 'word/styles.xml',
      content: `<w:styles xmlns:w="${WORDPROCESSING_NAMESPACE}"><w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/></w:style></w:styles>`,
    },
    ...(blueprint.extraEntries ?? []),
  ]);
}

function linkRelationshipsOf(links: readonly { target: string }[]): string {
  return links
    .map(
      (link, index) =>
        `<Relationship Id="rIdLink${index}" Type="${R}/hyperlink" Target="${escapeXml(link.target)}" TargetMode="External"/>`,
    )
    .join('');
}

function noteReference(kind: NoteKind, index: number): string {
  return paragraph(
    `${run(`See ${kind} ${index + 1}.`)}<w:r><w:${kind}Reference w:id="${index + 1}"/></w:r>`,
  );
}

/** The notes part of one kind, its relationships, and the image they show. */
function notesParts(kind: NoteKind, notes: readonly DocxNote[] | undefined): ZipEntrySpec[] {
  if (!notes?.length) return [];
  const links = notes.flatMap((note) => note.links ?? []);
  let linkIndex = 0;
  const content = notes
    .map((note, index) => {
      const noteLinks = (note.links ?? []).map(
        (link) => `<w:hyperlink r:id="rIdLink${linkIndex++}">${run(link.text)}</w:hyperlink>`,
      );
      const image = note.image
        ? '<w:r><w:pict><v:shape><v:imagedata r:id="rIdImage"/></v:shape></w:pict></w:r>'
        : '';
      return `<w:${kind} w:id="${index + 1}">${paragraph(`${run(note.text)}${noteLinks.map((link) => `${run(' ')}${link}`).join('')}${image}`)}</w:${kind}>`;
    })
    .join('');
  return [
    {
      name: `word/${kind}s.xml`,
      content: `<w:${kind}s xmlns:w="${WORDPROCESSING_NAMESPACE}" xmlns:r="${R}" xmlns:v="urn:schemas-microsoft-com:vml">${content}</w:${kind}s>`,
    },
    {
      name: `word/_rels/${kind}s.xml.rels`,
      content: `<Relationships xmlns="${PACKAGE_RELATIONSHIPS}">${linkRelationshipsOf(links)}<Relationship Id="rIdImage" Type="${R}/image" Target="media/${kind}.png"/></Relationships>`,
    },
    { name: `word/media/${kind}.png`, content: ONE_PIXEL_PNG },
  ];
}

function paragraph(content: string, styleId?: string): string {
  const properties = styleId === undefined ? '' : `<w:pPr><w:pStyle w:val="${styleId}"/></w:pPr>`;
  return `<w:p>${properties}${content}</w:p>`;
}

function run(text: string): string {
  return `<w:r><w:t xml:space="preserve">${escapeXml(text)}</w:t></w:r>`;
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"]/g, (character) => `&#${character.charCodeAt(0)};`);
}
