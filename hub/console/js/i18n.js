// Every label of the console in Chinese (the default) and English. A key without an entry is
// recorded in `window.parkhubMissingKeys`, which the browser tests check is empty.
const LANGUAGE_KEY = 'parkhub.lang';

const WORDS = {
  'app.name': ['ParkHub 园区数据枢纽', 'ParkHub park data hub'],
  'app.menu': ['主菜单', 'Main menu'],
  'app.logout': ['退出', 'Log out'],
  'role.admin': ['管理员', 'administrator'],
  'role.committee': ['管委会', 'management committee'],
  'role.centre': ['促进中心', 'promotion centre'],
  'role.enterprise': ['企业', 'enterprise'],
  'page.dashboard': ['指标看板', 'Dashboard'],
  'page.indicators': ['指标库', 'Indicators'],
  'page.freshness': ['报送及时性', 'Submission freshness'],
  'page.sql': ['SQL 查询', 'SQL'],
  'page.catalog': ['资源目录', 'Catalog'],
  'page.entry': ['目录条目', 'Catalog entry'],
  'page.matching': ['供需对接', 'Matching'],
  'page.submit': ['数据报送', 'Data submission'],

  'login.token': ['访问令牌', 'Access token'],
  'login.help': ['请输入管理员发放的令牌（以 phk_ 开头）。令牌只保存在本浏览器标签页中。',
    'Enter the token your administrator gave you (it starts with phk_). It is kept only in this browser tab.'],
  'login.submit': ['登录', 'Log in'],
  'login.checking': ['正在验证令牌…', 'Checking the token…'],
  'login.refused': ['令牌无效、已过期或已吊销。', 'The token is unknown, expired or revoked.'],
  'login.expired': ['登录已失效，请重新输入令牌。', 'Your session ended; enter your token again.'],

  'state.loading': ['加载中…', 'Loading…'],
  'state.running': ['正在计算…', 'Running…'],
  'state.no-data': ['所选参数下没有数据。', 'No data for these parameters.'],
  'value.yes': ['是', 'yes'],
  'value.no': ['否', 'no'],
  'error.network': ['无法连接到 ParkHub 服务。', 'Cannot reach the ParkHub server.'],
  'error.http': ['请求失败（HTTP {status}）', 'The request failed (HTTP {status})'],
  'error.no-page': ['没有名为“{page}”的页面。', 'There is no page called "{page}".'],
  'error.not-for-role': ['此页面不向{role}角色开放。', 'This page is not open to the {role} role.'],
  'error.no-indicator': ['没有名为“{name}”的指标。', 'There is no indicator called "{name}".'],
  'error.no-table': ['数据湖中没有表“{table}”。', 'The lake has no table "{table}".'],

  'grid.previous': ['上一页', 'Previous'],
  'grid.next': ['下一页', 'Next'],
  'grid.page': ['第 {page} / {pages} 页，共 {rows} 行', 'Page {page} of {pages}, {rows} rows'],
  'grid.rows': ['共 {rows} 行', '{rows} rows'],
  'export.csv': ['导出 CSV', 'Export CSV'],
  'export.xlsx': ['导出 Excel', 'Export XLSX'],
  'export.preparing': ['正在导出…', 'Exporting…'],

  'indicator.definition': ['口径（定义、单位、参数）', 'Definition (formula, unit, parameters)'],
  'indicator.unit': ['单位', 'Unit'],
  'indicator.grain': ['粒度', 'Grain'],
  'indicator.default': ['默认', 'default'],
  'indicator.no-parameters': ['无参数', 'no parameters'],
  'indicator.change-parameters': ['调整参数', 'Change parameters'],
  'indicator.run': ['计算', 'Run'],
  'indicators.choose': ['从左侧选择一个指标。', 'Choose an indicator on the left.'],

  'dashboard.output-trend': ['工业总产值，按月、按重点行业', 'Output value by month and key industry'],
  'dashboard.latest-month': ['最近一个月，按重点行业', 'The latest month, by key industry'],
  'dashboard.cnc-target': ['数控化率目标', 'CNC target'],
  'dashboard.rd-target': ['研发工具普及率目标', 'R&D tool target'],
  'filter.from': ['起始月份', 'From month'],
  'filter.to': ['截止月份', 'To month'],
  'filter.industry': ['重点行业', 'Key industry'],
  'filter.all-industries': ['全部行业', 'All industries'],
  'filter.zone': ['园区片区', 'Zone'],
  'filter.whole-park': ['全园区', 'Whole park'],
  'filter.apply': ['应用', 'Apply'],

  'unit.10k-yuan': ['万元', '10k yuan'],
  'unit.10k-yuan-per-mu': ['万元/亩', '10k yuan per mu'],
  'unit.tce-per-10k': ['吨标准煤/万元', 'tce per 10k yuan'],
  'unit.enterprises': ['家', 'enterprises'],
  'unit.projects': ['个', 'projects'],
  'maturity.1': ['一级 规划级', 'Level 1 planning'],
  'maturity.2': ['二级 规范级', 'Level 2 standardised'],
  'maturity.3': ['三级 集成级', 'Level 3 integrated'],
  'maturity.4': ['四级 优化级', 'Level 4 optimised'],
  'maturity.5': ['五级 引领级', 'Level 5 leading'],

  'freshness.intro': ['报送期内尚未报送生产或能耗数据的企业，以及各企业最近一次报送的时间。',
    'Enterprises that have not yet submitted the reporting period\'s production or energy data, and when each last did.'],
  'freshness.only-late': ['只看未按时报送的企业', 'Only enterprises that are late'],
  'freshness.enterprises': ['企业数', 'Enterprises'],
  'freshness.late-production': ['生产数据未报', 'Production not submitted'],
  'freshness.late-energy': ['能耗数据未报', 'Energy not submitted'],
  'freshness.production': ['生产经营数据', 'Production data'],
  'freshness.energy': ['能耗数据', 'Energy data'],
  'freshness.on-time': ['已报送', 'Submitted'],
  'freshness.late': ['未报送', 'Not submitted'],
  'freshness.none-late': ['所有企业均已报送。', 'Every enterprise has submitted.'],

  'sql.tables': ['数据表', 'Tables'],
  'sql.editor': ['SQL 编辑器', 'SQL editor'],
  'sql.run': ['运行', 'Run'],
  'sql.shortcut': ['Ctrl+Enter 运行；只读查询，受服务器的时间与内存限制。', 'Ctrl+Enter runs; read-only, within the server\'s time and memory limits.'],
  'sql.summary': ['{rows} 行，用时 {ms} 毫秒', '{rows} rows in {ms} ms'],
  'sql.truncated': ['结果过多，只显示前 {rows} 行；导出 CSV 可得到全部结果。', 'Too many rows: the first {rows} are shown; export CSV for all of them.'],
  'sql.no-rows': ['查询没有返回任何行。', 'The query returned no rows.'],
  'sql.at': ['错误位置：第 {line} 行，第 {column} 列', 'Error at line {line}, column {column}'],

  'catalog.search': ['搜索', 'Search'],
  'catalog.placeholder': ['如：设备预测性维护、能耗监测、MES', 'e.g. predictive maintenance, energy monitoring, MES'],
  'catalog.sort': ['排序', 'Sort'],
  'catalog.facets': ['筛选', 'Filters'],
  'catalog.total': ['共 {total} 条结果', '{total} results'],
  'catalog.range': ['第 {from}–{to} 条', '{from}–{to}'],
  'catalog.no-hits': ['没有找到匹配的条目，请换个说法或减少筛选条件。', 'Nothing matches; try other words or fewer filters.'],
  'catalog.price': ['{min}–{max} 万元', '{min}–{max} 10k yuan'],
  'catalog.new': ['新增条目', 'New entry'],
  'sort.relevance': ['按相关度', 'Relevance'],
  'sort.rating': ['按评分', 'Rating'],
  'sort.price': ['按价格', 'Price'],
  'sort.newest': ['按发布时间', 'Newest'],
  'facet.kind': ['类型', 'Kind'],
  'facet.category': ['类别', 'Category'],
  'facet.scenario': ['场景', 'Scenario'],
  'facet.key_industry': ['重点行业', 'Key industry'],
  'facet.deployment': ['部署方式', 'Deployment'],
  'kind.application': ['共享应用', 'Shared application'],
  'kind.offering': ['服务产品', 'Service offering'],
  'kind.provider': ['服务商', 'Provider'],

  'entry.back': ['← 返回目录', '← Back to the catalog'],
  'entry.edit-link': ['编辑此条目', 'Edit this entry'],
  'entry.edit': ['编辑 {id}', 'Edit {id}'],
  'entry.new': ['新增{kind}', 'New {kind}'],
  'entry.save': ['保存', 'Save'],
  'entry.saving': ['正在保存并校验…', 'Saving and checking…'],
  'entry.saved': ['已保存到数据湖和检索索引。', 'Saved to the lake and the search index.'],
  'entry.cancel': ['取消', 'Cancel'],
  'entry.indexed': ['已入索引', 'indexed'],
  'entry.not-indexed': ['尚未入索引', 'not yet indexed'],

  'match.need': ['企业需求', 'Enterprise need'],
  'match.choose-need': ['选择一条待对接的需求…', 'Choose an open need…'],
  'match.text': ['需求描述', 'Need'],
  'match.text-placeholder': ['如：注塑机预测性维护', 'e.g. predictive maintenance of injection moulding machines'],
  'match.uscc': ['企业统一社会信用代码（可选）', 'Enterprise USCC (optional)'],
  'match.scenario': ['场景（可选）', 'Scenario (optional)'],
  'match.budget': ['预算（万元，可选）', 'Budget (10k yuan, optional)'],
  'match.run': ['对接', 'Match'],
  'match.start': ['选择一条需求，或输入需求描述。', 'Choose a need, or type one.'],
  'match.score': ['得分 {score}', 'score {score}'],
  'match.why': ['得分构成', 'Why this score'],
  'match.rule': ['评分规则', 'Scoring rule'],
  'match.none': ['没有可推荐的服务产品。', 'No offering to propose.'],
  'match.candidates': ['从 {count} 个候选中排序', 'Ranked from {count} candidates'],
  'match.for-need': ['需求 {id}：{title}', 'Need {id}: {title}'],
  'match.for-enterprise': ['企业：{name}', 'Enterprise: {name}'],
  'part.text': ['文本相关度', 'Text relevance'],
  'part.scenario': ['场景', 'Scenario'],
  'part.industry': ['行业', 'Industry'],
  'part.budget': ['预算', 'Budget'],
  'part.track_record': ['园区业绩', 'Track record'],
  'part.maturity': ['成熟度', 'Maturity'],

  'submit.as': ['以 {name}（{uscc}）的身份报送', 'Submitting as {name} ({uscc})'],
  'submit.table': ['报送到数据表', 'Target table'],
  'submit.drop': ['把文件拖到这里，或按回车选择文件', 'Drop a file here, or press Enter to choose one'],
  'submit.choose': ['选择文件', 'Choose a file'],
  'submit.formats': ['支持 CSV（UTF-8 或 GBK）、XLSX、JSON / NDJSON、Parquet', 'CSV (UTF-8 or GBK), XLSX, JSON / NDJSON and Parquet'],
  'submit.unknown-format': ['无法识别“{name}”的格式：请使用 .csv、.xlsx、.json、.ndjson 或 .parquet 文件。',
    'The format of "{name}" is not known: use a .csv, .xlsx, .json, .ndjson or .parquet file.'],
  'submit.uploading': ['正在上传 {name}…', 'Uploading {name}…'],
  'submit.checking': ['{name} 已上传，正在校验并写入…', '{name} uploaded; checking and writing…'],
  'submit.done': ['{name} 已处理。', '{name} processed.'],
  'submit.report': ['报送结果：{table}', 'Report: {table}'],
  'submit.read': ['读取行数', 'Rows read'],
  'submit.written': ['写入行数', 'Rows written'],
  'submit.rejected': ['拒收行数', 'Rows rejected'],
  'submit.status': ['状态', 'Status'],
  'submit.batch': ['批次', 'Batch'],
  'submit.duplicate': ['相同内容此前已报送，未重复写入。', 'The same content was submitted before and was not written again.'],
  'submit.rejected-rows': ['被拒收的行及原因', 'Rejected rows and why'],
  'submit.history': ['报送记录', 'Submission history'],
  'submit.no-history': ['还没有报送记录。', 'Nothing submitted yet.'],
  'status.committed': ['已提交', 'committed'],
  'status.failed': ['失败', 'failed'],

  'column.key_industry': ['重点行业', 'Key industry'],
  'column.period': ['月份', 'Month'],
  'column.output_value': ['工业总产值', 'Output value'],
  'column.added_value': ['工业增加值', 'Added value'],
  'column.energy_intensity': ['万元增加值能耗', 'Energy intensity'],
  'column.median_enterprise_intensity': ['企业能耗强度中位数', 'Median enterprise intensity'],
  'column.output_per_mu': ['亩均产值', 'Output per mu'],
  'column.tax_per_mu': ['亩均税收', 'Tax per mu'],
  'column.key_process_cnc_rate': ['关键工序数控化率', 'Key-process CNC rate'],
  'column.digital_rd_tool_rate': ['数字化研发设计工具普及率', 'Digital R&D tool rate'],
  'column.granted_total': ['已批准补助', 'Granted'],
  'column.disbursed': ['已拨付', 'Disbursed'],
  'column.enterprises': ['企业数', 'Enterprises'],
  'column.uscc': ['统一社会信用代码', 'USCC'],
  'column.name': ['名称', 'Name'],
  'column.started_at': ['开始时间', 'Started'],
  'column.table': ['数据表', 'Table'],
  'column.source': ['来源', 'Source'],
  'column.status': ['状态', 'Status'],
  'column.rows_written': ['写入', 'Written'],
  'column.rows_rejected': ['拒收', 'Rejected'],
  'column.who': ['报送人', 'Delivered by'],
  'column.source_row': ['源文件行号', 'Source row'],
  'column.reasons': ['拒收原因', 'Reasons'],
  'column.record': ['原始记录', 'Record'],
  'column.row': ['行号', 'Row'],
  'column.column': ['列', 'Column'],
  'column.value': ['值', 'Value'],
  'column.reason': ['原因', 'Reason'],
  'column.reporting_period': ['报送期', 'Reporting period'],
  'column.last_production_period': ['最近生产数据月份', 'Last production month'],
  'column.last_energy_day': ['最近能耗数据日期', 'Last energy day'],
  'column.production_late': ['生产数据未报', 'Production late'],
  'column.energy_late': ['能耗数据未报', 'Energy late'],
  'column.days_since_last_submission': ['距最近报送天数', 'Days since last submission'],
};

const INDUSTRIES = {
  petrochemicals: ['石化化工', 'Petrochemicals'],
  iron_steel: ['钢铁', 'Iron and steel'],
  nonferrous: ['有色金属', 'Non-ferrous metals'],
  building_materials: ['建材', 'Building materials'],
  machinery: ['机械', 'Machinery'],
  food: ['食品', 'Food'],
  light_industry: ['轻工', 'Light industry'],
  textiles: ['纺织', 'Textiles'],
  other: ['其他', 'Other'],
  all: ['全园区', 'Whole park'],
};

/** The scenario codes of the catalog, with their names. */
const SCENARIO_NAMES = {
  predictive_maintenance: ['预测性维护', 'Predictive maintenance'],
  energy_management: ['能源管理', 'Energy management'],
  mes: ['MES制造执行系统', 'Manufacturing execution system'],
  aps: ['APS高级计划排程', 'Advanced planning and scheduling'],
  quality_inspection: ['机器视觉质量检测', 'Machine-vision quality inspection'],
  supply_chain: ['供应链协同', 'Supply-chain collaboration'],
  digital_twin: ['数字孪生', 'Digital twin'],
  safety: ['安全生产与应急管理', 'Safety and emergency management'],
  equipment_networking: ['设备联网与数据采集', 'Equipment networking'],
  carbon: ['碳排放核算与碳管理', 'Carbon accounting'],
  erp: ['ERP企业资源计划', 'Enterprise resource planning'],
  warehouse: ['WMS仓储物流', 'Warehouse and logistics'],
  rd_design: ['研发设计', 'R&D and design'],
  process_optimization: ['工艺优化', 'Process optimisation'],
};
export const SCENARIOS = Object.keys(SCENARIO_NAMES);

const FACET_VALUES = {
  category: {
    platform: ['平台服务', 'Platform'], industrial_software: ['工业软件', 'Industrial software'],
    integration: ['系统集成', 'Integration'], equipment_upgrade: ['智能化改造', 'Equipment upgrade'],
    consulting: ['咨询诊断', 'Consulting'], iot: ['物联网', 'IoT'], maintenance: ['运维服务', 'Maintenance'],
  },
  deployment: {
    saas: ['SaaS订阅', 'SaaS'], on_premise: ['本地化部署', 'On premise'], hybrid: ['云边混合', 'Hybrid'], edge: ['边缘侧', 'Edge'],
  },
  kind: {
    application: WORDS['kind.application'], offering: WORDS['kind.offering'], provider: WORDS['kind.provider'],
  },
  key_industry: INDUSTRIES,
  scenario: SCENARIO_NAMES,
};

const LEVELS = { point: ['点（单个企业）', 'Point (one enterprise)'], line: ['线（产业链）', 'Line (a chain)'], area: ['面（集群/园区）', 'Area (cluster or park)'] };
const STATUSES = {
  planned: ['计划中', 'Planned'], in_progress: ['实施中', 'In progress'], completed: ['已完成', 'Completed'],
  delayed: ['延期', 'Delayed'], cancelled: ['已取消', 'Cancelled'],
};
const FUND_SOURCES = { central: ['中央财政', 'Central'], provincial: ['省级财政', 'Provincial'], local: ['市县财政', 'Local'] };

let language = localStorage.getItem(LANGUAGE_KEY) === 'en' ? 'en' : 'zh';
const listeners = [];
window.parkhubMissingKeys = window.parkhubMissingKeys || [];

function pick(entry) {
  return entry[language === 'zh' ? 0 : 1];
}

/**
 * Returns the label of `key` in the current language with `{name}` replaced from `vars`;
 * `fallback` (when given) is used for keys without an entry, which are then not recorded.
 */
export function t(key, vars = {}, fallback) {
  const entry = WORDS[key];
  let text;
  if (entry) {
    text = pick(entry);
  } else if (fallback !== undefined) {
    text = fallback;
  } else {
    if (!window.parkhubMissingKeys.includes(key)) window.parkhubMissingKeys.push(key);
    text = key;
  }
  return text.replace(/\{(\w+)\}/g, (whole, name) => (vars[name] ?? whole));
}

export function getLang() {
  return language;
}

/** Switches the language, remembers it, and redraws. */
export function setLang(next) {
  language = next === 'en' ? 'en' : 'zh';
  localStorage.setItem(LANGUAGE_KEY, language);
  for (const listener of listeners) listener(language);
}

export function onLanguageChange(listener) {
  listeners.push(listener);
}

function named(table, code) {
  return table[code] ? pick(table[code]) : code;
}

export function industryName(code) {
  return named(INDUSTRIES, code);
}

export function levelName(code) {
  return named(LEVELS, code);
}

export function statusName(code) {
  return named(STATUSES, code);
}

export function fundSourceName(code) {
  return named(FUND_SOURCES, code);
}

/** Returns the name of a facet's value (a category, a scenario, …), or the value itself. */
export function facetValueName(facet, value) {
  return FACET_VALUES[facet] ? named(FACET_VALUES[facet], value) : value;
}

/** Returns the label of a column: its translation when there is one, else its name. */
export function columnLabel(name) {
  return t(`column.${name}`, {}, name);
}
