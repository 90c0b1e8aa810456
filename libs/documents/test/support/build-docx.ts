import { buildZip, type ZipEntrySpec } from './build-zip';

/** The smallest package structure mammoth and file-type accept as a Word document. */
export interface DocxBlueprint {
  heading?: string;
  paragraphs?: readonly string[];
  links?: readonly { text: string; target: string }[];
  /** Replaces the generated word/document.xml, e.g. with an entity bomb. */
  documentXml?: string;
  /** Added after the document parts, e.g. a zip bomb. */
  extraEntries?: readonly ZipEntrySpec[];
}

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
  ].join('');
  const linkRelationships = links
    .map(
      (link, index) =>
        `<Relationship Id="rIdLink${index}" Type="${R}/hyperlink" Target="${escapeXml(link.target)}" TargetMode="External"/>`,
    )
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
      content: `<Relationships xmlns="${PACKAGE_RELATIONSHIPS}"><Relationship Id="rIdStyles" Type="${R}/styles" Target="styles.xml"/>${linkRelationships}</Relationships>`,
    },
    {
      name: 'word/styles.xml',
      content: `<w:styles xmlns:w="${WORDPROCESSING_NAMESPACE}"><w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/></w:style></w:styles>`,
    },
    ...(blueprint.extraEntries ?? []),
  ]);
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
