// UI labels in Chinese and English. Static markup names its label with data-i18n="key" (text) or
// data-i18n-attr="attribute:key;attribute:key"; scripts call t(key, params).

const MESSAGES = {
  zh: {
    skipToContent: '跳到主要内容',
    tagline: '中文命名实体识别',
    model: '模型',
    readinessUnknown: '检测中',
    readinessReady: '就绪',
    readinessNotReady: '未就绪',
    readinessOffline: '离线',
    tabSingle: '单条文本',
    tabBatch: '批量',
    dismiss: '关闭提示',
    inputHeading: '输入文本',
    samples: '示例',
    inputPlaceholder: '在此粘贴或输入中文文本……',
    clear: '清空',
    run: '识别',
    running: '识别中…',
    resultHeading: '识别结果',
    latency: '耗时',
    entities: '实体',
    resultPlaceholder: '在左侧输入或选择示例，然后按「识别」。',
    noEntities: '未发现实体。',
    rawJson: 'JSON 响应',
    copyJson: '复制 JSON',
    copied: '已复制',
    copyFailed: '复制失败',
    tableHeading: '实体列表',
    filterByType: '按类型筛选',
    all: '全部',
    colType: '类型',
    colText: '文本',
    colStart: '起',
    colEnd: '止',
    colProb: '概率',
    tableEmpty: '暂无实体。',
    batchHeading: '批量文本（每行一条）',
    batchPlaceholder: '每行一条文本，可粘贴或载入 .txt 文件',
    loadFile: '载入 .txt 文件',
    loadSamples: '载入示例',
    runBatch: '批量识别',
    batchResults: '批量结果',
    downloadJson: '下载 JSON',
    downloadCsv: '下载 CSV',
    lines: '{n} 行',
    chars: '{n} / {max} 字符',
    charsNoLimit: '{n} 字符',
    batchSummary: '{lines} 行 · {entities} 个实体',
    batchProgress: '第 {i}/{n} 批…',
    line: '第 {n} 行',
    footer: '实体偏移以 Unicode 码位计。',
    typePER: '人名',
    typeLOC: '地名',
    typeORG: '机构名',
    tipType: '类型',
    tipOffsets: '偏移',
    tipProb: '概率',
    errEmptyTitle: '没有可识别的文本',
    errEmpty: '请先输入或粘贴一段文本。',
    errEmptyBatch: '请至少输入一行文本。',
    errOfflineTitle: '无法连接后端',
    errOffline: '识别服务暂时无法访问。文本已保留，请稍后重试。',
    errTimeoutTitle: '请求超时',
    errTimeout: '后端没有及时响应。文本已保留，请稍后重试。',
    errNotReadyTitle: '服务尚未就绪',
    errNotReady: '模型正在加载或服务正在重启。文本已保留，{retry}',
    errOverloadedTitle: '服务繁忙',
    errOverloaded: '当前请求过多。文本已保留，{retry}',
    retryIn: '请在 {s} 秒后重试。',
    retryLater: '请稍后重试。',
    errTooLongTitle: '输入过长',
    errTooLong: '文本超出服务上限（最多 {max} 字符，当前 {n}）。文本已保留，请删减后重试。',
    errTooLongNoLimit: '请求超出服务上限。文本已保留，请删减或分批后重试。',
    errLineTooLong: '有的行超出服务上限（每行最多 {max} 字符）：第 {lines} 行。文本已保留，请删减后重试。',
    errTooManyTexts: '一次提交的行数超出上限（最多 {max} 行）。',
    errBadRequestTitle: '请求无效',
    errBadRequest: '服务拒绝了这次请求。',
    errServerTitle: '服务出错',
    errServer: '服务返回了意外的错误。文本已保留，请稍后重试。',
    errFileTitle: '无法读取文件',
    errFile: '请选择 UTF-8 编码的 .txt 文本文件。',
    skippedEntities: '{n} 个实体的偏移无效，未高亮。',
    settingsHeading: '识别设置',
    modelPicker: '模型',
    modelDefault: '默认',
    modelsLoading: '加载中…',
    requestTypes: '识别类型',
    minProb: '最低概率',
    minProbAny: '不限',
    useDictionary: '用户词典',
    dictionaryTerms: '{n} 条',
    sourceModel: '模型',
    sourceDictionary: '用户词典',
    dictTag: '词典',
    tipSource: '来源',
    colSource: '来源',
    legendDictionary: '词典实体',
    errNoTypesTitle: '未选择实体类型',
    errNoTypes: '请在「识别类型」中至少选择一种类型。',
    errUnknownModelTitle: '模型不可用',
    errUnknownModel: '服务不再提供所选模型，模型列表已刷新。文本已保留，请重新选择模型后重试。',
    readinessLocked: '需要密钥',
    authTitle: '需要 API 密钥',
    authRequired: '此服务要求 API 密钥（HTTP 401）。输入密钥后，刚才的请求会自动重试；文本已保留。',
    authRejected: '服务拒绝了这个 API 密钥（HTTP 401）。请检查后重新输入。',
    authInvalid: '密钥只能包含可见的 ASCII 字符，不能有空格。',
    apiKey: 'API 密钥',
    useKey: '使用密钥',
    authHint: '密钥只保存在本标签页（sessionStorage），关闭标签页即清除；它随每个 /api 请求以 Authorization: Bearer 头发送。',
    keySet: 'API 密钥',
    keyClear: '清除密钥',
  },
  en: {
    skipToContent: 'Skip to main content',
    tagline: 'Chinese named-entity recognition',
    model: 'Model',
    readinessUnknown: 'Checking',
    readinessReady: 'Ready',
    readinessNotReady: 'Not ready',
    readinessOffline: 'Offline',
    tabSingle: 'Single text',
    tabBatch: 'Batch',
    dismiss: 'Dismiss message',
    inputHeading: 'Input text',
    samples: 'Samples',
    inputPlaceholder: 'Paste or type Chinese text here…',
    clear: 'Clear',
    run: 'Recognize',
    running: 'Recognizing…',
    resultHeading: 'Result',
    latency: 'Latency',
    entities: 'Entities',
    resultPlaceholder: 'Type text or pick a sample on the left, then press Recognize.',
    noEntities: 'No entities found.',
    rawJson: 'JSON response',
    copyJson: 'Copy JSON',
    copied: 'Copied',
    copyFailed: 'Copy failed',
    tableHeading: 'Entities',
    filterByType: 'Filter by type',
    all: 'All',
    colType: 'Type',
    colText: 'Text',
    colStart: 'Start',
    colEnd: 'End',
    colProb: 'Prob',
    tableEmpty: 'No entities yet.',
    batchHeading: 'Batch texts (one per line)',
    batchPlaceholder: 'One text per line: paste here or load a .txt file',
    loadFile: 'Load .txt file',
    loadSamples: 'Load samples',
    runBatch: 'Run batch',
    batchResults: 'Batch results',
    downloadJson: 'Download JSON',
    downloadCsv: 'Download CSV',
    lines: '{n} lines',
    chars: '{n} / {max} chars',
    charsNoLimit: '{n} chars',
    batchSummary: '{lines} lines · {entities} entities',
    batchProgress: 'Chunk {i}/{n}…',
    line: 'Line {n}',
    footer: 'Entity offsets count Unicode code points.',
    typePER: 'Person',
    typeLOC: 'Location',
    typeORG: 'Organization',
    tipType: 'Type',
    tipOffsets: 'Offsets',
    tipProb: 'Prob',
    errEmptyTitle: 'Nothing to recognize',
    errEmpty: 'Type or paste some text first.',
    errEmptyBatch: 'Enter at least one line of text.',
    errOfflineTitle: 'Backend unreachable',
    errOffline: 'The recognition service cannot be reached right now. Your text is kept; try again shortly.',
    errTimeoutTitle: 'Request timed out',
    errTimeout: 'The backend did not answer in time. Your text is kept; try again shortly.',
    errNotReadyTitle: 'Service not ready',
    errNotReady: 'The model is loading or the service is restarting. Your text is kept. {retry}',
    errOverloadedTitle: 'Service busy',
    errOverloaded: 'Too many requests right now. Your text is kept. {retry}',
    retryIn: 'Try again in {s} s.',
    retryLater: 'Try again shortly.',
    errTooLongTitle: 'Input too long',
    errTooLong: 'The text exceeds the service limit (at most {max} characters, you have {n}). Your text is kept; shorten it and try again.',
    errTooLongNoLimit: 'The request exceeds the service limit. Your text is kept; shorten it or split it and try again.',
    errLineTooLong: 'Some lines exceed the service limit (at most {max} characters a line): line {lines}. Your text is kept; shorten them and try again.',
    errTooManyTexts: 'Too many lines in one request (at most {max}).',
    errBadRequestTitle: 'Request rejected',
    errBadRequest: 'The service rejected this request.',
    errServerTitle: 'Service error',
    errServer: 'The service answered with an unexpected error. Your text is kept; try again shortly.',
    errFileTitle: 'Cannot read the file',
    errFile: 'Choose a UTF-8 encoded .txt file.',
    skippedEntities: '{n} entities had invalid offsets and are not highlighted.',
    settingsHeading: 'Recognition settings',
    modelPicker: 'Model',
    modelDefault: 'default',
    modelsLoading: 'Loading…',
    requestTypes: 'Types',
    minProb: 'Min. prob',
    minProbAny: 'any',
    useDictionary: 'User dictionary',
    dictionaryTerms: '{n} terms',
    sourceModel: 'Model',
    sourceDictionary: 'User dictionary',
    dictTag: 'DICT',
    tipSource: 'Source',
    colSource: 'Source',
    legendDictionary: 'Dictionary entity',
    errNoTypesTitle: 'No entity type chosen',
    errNoTypes: 'Switch on at least one type under Types.',
    errUnknownModelTitle: 'Model not available',
    errUnknownModel: 'The service no longer serves the chosen model; the model list is refreshed. Your text is kept; pick a model and try again.',
    readinessLocked: 'Key required',
    authTitle: 'API key required',
    authRequired: 'This service requires an API key (HTTP 401). Enter it and the request is retried; your text is kept.',
    authRejected: 'The service refused this API key (HTTP 401). Check it and enter it again.',
    authInvalid: 'A key has visible ASCII characters only, no spaces.',
    apiKey: 'API key',
    useKey: 'Use key',
    authHint: 'The key stays in this tab only (sessionStorage) and is gone when the tab closes; it goes with every /api request as an Authorization: Bearer header.',
    keySet: 'API key',
    keyClear: 'Clear key',
  },
};

export const LANGUAGES = Object.keys(MESSAGES);
let current = 'zh';

/** The starting language: the one the user chose before, else the browser's. */
export function initialLanguage(stored, browserLanguages) {
  if (LANGUAGES.includes(stored)) return stored;
  for (const tag of browserLanguages || []) {
    const base = String(tag).toLowerCase().split('-')[0];
    if (LANGUAGES.includes(base)) return base;
  }
  return 'en';
}

export function language() {
  return current;
}

export function setLanguage(lang) {
  if (!LANGUAGES.includes(lang)) throw new Error(`unknown language ${lang}`);
  current = lang;
}

/** The label `key` in the current language, with {name} placeholders filled from `params`. */
export function t(key, params = {}) {
  const template = MESSAGES[current][key] ?? MESSAGES.en[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

/** A readable name of an entity type (PER -> 人名 / Person); unknown types show as they are. */
export function typeName(type) {
  const key = 'type' + type;
  return key in MESSAGES[current] ? MESSAGES[current][key] : type;
}

/** Who found an entity, in words: the model, or the user dictionary (`source` of the API). */
export function sourceName(source) {
  return t(source === 'dictionary' ? 'sourceDictionary' : 'sourceModel');
}

/** The label keys of a language (the tests check that both languages have the same). */
export function labelKeys(lang) {
  return Object.keys(MESSAGES[lang]);
}

/** Re-labels every element under `root` that names its label with data-i18n / data-i18n-attr. */
export function applyLabels(root) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-attr]')) {
    for (const pair of el.dataset.i18nAttr.split(';')) {
      const [attribute, key] = pair.split(':');
      el.setAttribute(attribute.trim(), t(key.trim()));
    }
  }
}
