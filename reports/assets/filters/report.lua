--[[
report.lua — pandoc Lua filter for the pandoc + typst path of the report (and its HTML).

Why: pandoc's Typst writer drops an image's description, so a chart would reach the PDF without
alt text (WCAG 1.1.1; PDF/UA needs it). Here every image becomes Typst `image(...)` with `alt:`
set from the markdown description `![ALT](path)`. Images without a description are an error
upstream (torbayreport.render refuses them), so none should arrive here.

It also routes a chart's figures (report/chartdata.py): the full table inside <details> is for the
HTML, the compact table in a `chart-compact` div for the PDF, where it is kept on one page with its
chart; and it carries the column widths a table declares (report/tables.py, a `widths` div) to
the PDF.
]]

-- ------------------------------------------------------------------ chart figures per format
local COMPACT = "chart-compact"          -- report/chartdata.py COMPACT_CLASS
local WITH_DATA = "chart-with-data"      -- a chart and its compact table, kept together (typst)
local KEEP = "keep-with-next"            -- a block kept on the page of the block after it (typst)

local function is_chart(block)
  return block and block.t == "Para" and #block.content == 1 and block.content[1].t == "Image"
end

-- Whether ChartData's Typst rules can change this list: it holds raw HTML (a <summary>), a table
-- or a div (a chart's figures, a labelled table), or a paragraph after a heading with a block
-- after it (a reading). Most lists are a table cell's one Plain: left as they are (returning nil
-- spares pandoc reading the list back), which is most of this pass's time.
local function could_change(blocks)
  local n = #blocks
  for i = 1, n do
    local t = blocks[i].t
    if t == "RawBlock" or t == "Table" or t == "Div" then return true end
    if t == "Para" and i > 1 and i < n and blocks[i - 1].t == "Header" then return true end
  end
  return false
end

-- HTML: the compact table goes (the <details> table has every month). Typst: the <details>
-- table and its summary words go (a printed page cannot open them), and a measure's reading, its
-- chart and the compact table become one block, the table beside the chart.
local function ChartData(blocks)
  local out = pandoc.Blocks{}
  if not could_change(blocks) then return nil end
  local in_summary = false
  for _, block in ipairs(blocks) do
    if block.t == "RawBlock" and block.format == "html" then
      if block.text:match("^<summary") then in_summary = not block.text:match("</summary>") end
      if block.text:match("^</summary>") then in_summary = false end
      out:insert(block)                      -- the Typst writer leaves raw HTML out
    elseif in_summary then
      -- the <summary> words: an HTML control, nothing to print
    elseif block.t == "Table" and block.identifier:match("^chartdata%-") then
      -- the every-month table: HTML only
    elseif block.t == "Div" and block.classes:includes(COMPACT) then
      local chart_at = #out
      while chart_at > 0 and out[chart_at].t == "RawBlock" do chart_at = chart_at - 1 end
      if chart_at > 0 and is_chart(out[chart_at]) then
        local chart = table.remove(out, chart_at)
        local content = pandoc.Blocks{chart}
        content:extend(block.content)
        -- a measure's reading (the paragraph between its heading and its chart) stays with the
        -- chart it describes; the heading is sticky, so the three move to a new page together
        local reading = out[chart_at - 1]
        if chart_at > 2 and reading.t == "Para" and out[chart_at - 2].t == "Header" then
          content:insert(1, table.remove(out, chart_at - 1))
          chart_at = chart_at - 1
        end
        out:insert(chart_at, pandoc.Div(content, pandoc.Attr("", {WITH_DATA})))
      else
        out:extend(block.content)
      end
    else
      out:insert(block)
    end
  end
  -- a bold label line that names the table under it ("Actions by RAG rating, this month and
  -- last.") never stays at the foot of a page without its table
  for i = 1, #out - 1 do
    local b, nxt = out[i], out[i + 1]
    if b.t == "Para" and #b.content == 1 and b.content[1].t == "Strong"
        and (nxt.t == "Table" or (nxt.t == "Div" and nxt.classes:includes("widths"))) then
      out[i] = pandoc.Div({b}, pandoc.Attr("", {KEEP}))
    -- a measure's reading stays with the one italic line that says why it has no chart
    elseif b.t == "Para" and i > 1 and out[i - 1].t == "Header" and nxt.t == "Para"
        and #nxt.content == 1 and nxt.content[1].t == "Emph" then
      out[i] = pandoc.Div({b}, pandoc.Attr("", {KEEP}))
    end
  end
  return out
end

local function typst_string(s)
  s = s:gsub("\\", "\\\\"):gsub('"', '\\"'):gsub("\n", " ")
  return '"' .. s .. '"'
end

local function typst_image(img)
  local alt = pandoc.utils.stringify(img.caption)
  local width = img.attributes["width"] or "100%"
  return string.format('image(%s, width: %s, alt: %s)', typst_string(img.src), width, typst_string(alt))
end

local function Image(img)
  if FORMAT ~= "typst" then
    return nil
  end
  return pandoc.RawInline("typst", "#box(" .. typst_image(img) .. ")")
end

-- A paragraph holding only a chart becomes an unbreakable block so the chart never splits a page.
local function Para(para)
  if FORMAT ~= "typst" then
    return nil
  end
  if #para.content == 1 and para.content[1].t == "Image" then
    local img = para.content[1]
    return pandoc.RawBlock("typst", "#block(breakable: false, above: 0.8em, below: 1.2em)[#" ..
      typst_image(img) .. "]")
  end
  return nil
end

-- Column widths. Pipe tables wider than pandoc's line length get relative widths taken from the
-- length of their dashes, which squeezed short columns ("Workforce" ran into the next cell), and
-- leaving every column `auto` squeezes words in wide tables. So: a table whose text fits the line
-- keeps `auto` columns (sized to content). A wider one is laid out in "characters": every column
-- first gets its longest word (so no word is cut), then the room left is shared out towards each
-- column's longest cell (capped, so long names wrap instead of the figures).
local CAPACITY = 122       -- characters of 8.5pt Carlito (about 3.85pt each) across the A4 text block
local PADDING = 2          -- a cell's left + right inset, in characters
local WRAP_AT = 120        -- a column stops asking for more room past this many characters
local LONG_WORD = 30       -- HTML: a table with a longer word in a cell may break words (report.css)

local function measure(rows, longest, longest_word)
  for _, row in ipairs(rows) do
    for j, cell in ipairs(row.cells) do
      local text = pandoc.utils.stringify(cell)
      local n = utf8.len(text) or #text
      if n > (longest[j] or 0) then longest[j] = n end
      for word in text:gmatch("%S+") do
        local w = utf8.len(word) or #word
        if w > (longest_word[j] or 0) then longest_word[j] = w end
      end
    end
  end
end

-- Header cells say what they head (WCAG 1.3.1): `scope="col"` on every cell of the table head,
-- and `scope="row"` on the cells of a body's row-head columns (pandoc 3 keeps cell attributes
-- and the HTML writer prints them on <th>).
local function scope_header_cells(tbl)
  for _, row in ipairs(tbl.head.rows) do
    for _, cell in ipairs(row.cells) do
      cell.attributes["scope"] = "col"
    end
  end
  for _, body in ipairs(tbl.bodies) do
    local n = body.row_head_columns or 0
    if n > 0 then
      for _, row in ipairs(body.body) do
        for j, cell in ipairs(row.cells) do
          if j <= n then cell.attributes["scope"] = "row" end
        end
      end
    end
  end
end

local function Table(tbl)
  if FORMAT ~= "typst" then
    -- Browsers size columns to their content better than any fixed share: drop pandoc's widths.
    for i, spec in ipairs(tbl.colspecs) do
      tbl.colspecs[i] = { spec[1], pandoc.ColWidthDefault }
    end
    if FORMAT:match("html") then
      scope_header_cells(tbl)
      -- a cell word longer than a column can be (file.column names in the coverage table) may
      -- wrap anywhere (report.css), so the table never pushes the page wider than the window
      local longest, longest_word = {}, {}
      for _, body in ipairs(tbl.bodies) do measure(body.body, longest, longest_word) end
      for _, n in pairs(longest_word) do
        if n > LONG_WORD then tbl.classes:insert("long-words"); break end
      end
    end
    return tbl
  end
  local longest, longest_word = {}, {}
  measure(tbl.head.rows, longest, longest_word)
  for _, body in ipairs(tbl.bodies) do
    measure(body.body, longest, longest_word)
  end
  local ncols = #tbl.colspecs
  local natural, min_total = 0, 0
  local min, want = {}, {}
  for j = 1, ncols do
    natural = natural + (longest[j] or 0) + PADDING
    min[j] = (longest_word[j] or 0) + 1 + PADDING
    want[j] = math.max(min[j], math.min(longest[j] or 0, WRAP_AT) + PADDING)
    min_total = min_total + min[j]
  end
  -- Room beyond the minimums goes mostly to the columns that want the most (weight = excess^1.5),
  -- so a column of long definitions is not held to the width of a column of short codes.
  local room = math.max(0, CAPACITY - min_total)
  local weight, weight_total = {}, 0
  for j = 1, ncols do
    weight[j] = (want[j] - min[j]) ^ 1.5
    weight_total = weight_total + weight[j]
  end
  local alloc, alloc_total = {}, 0
  for j = 1, ncols do
    local extra = 0
    if weight_total > 0 then
      extra = math.min(want[j] - min[j], room * weight[j] / weight_total)
    end
    alloc[j] = min[j] + extra
    alloc_total = alloc_total + alloc[j]
  end
  for i, spec in ipairs(tbl.colspecs) do
    local width = pandoc.ColWidthDefault
    if natural > CAPACITY and alloc_total > 0 then
      width = alloc[i] / alloc_total
    end
    tbl.colspecs[i] = { spec[1], width }
  end
  return tbl
end

-- Declared column widths (report/tables.py): a div `::: {.widths widths="33 11 9 ..."}` around a
-- table gives its columns these shares of the line in the PDF; the HTML keeps `auto` columns. The
-- div is unwrapped either way. A count that does not match the table's columns is ignored.
local function widths_div(div)
  local spec = div.attributes["widths"]
  local tbl = div.content[1]
  if not spec or #div.content ~= 1 or tbl.t ~= "Table" then return nil end
  local shares, total = {}, 0
  for number in spec:gmatch("[%d.]+") do
    shares[#shares + 1] = tonumber(number)
    total = total + tonumber(number)
  end
  if FORMAT == "typst" and #shares == #tbl.colspecs and total > 0 then
    for i, spec_i in ipairs(tbl.colspecs) do
      tbl.colspecs[i] = { spec_i[1], shares[i] / total }
    end
  end
  return tbl
end

local function Div(div)
  if div.classes:includes("widths") then
    return widths_div(div)
  end
  if div.classes:includes(KEEP) then
    local out = pandoc.Blocks{pandoc.RawBlock("typst", "#block(sticky: true)[")}
    out:extend(div.content)
    out:insert(pandoc.RawBlock("typst", "]"))
    return out
  end
  if FORMAT == "typst" and div.classes:includes(WITH_DATA) then
    -- [reading] chart | compact table, laid out by report.typ's chart-with-data, on one page
    local out = pandoc.Blocks{pandoc.RawBlock("typst", "#block(breakable: false, above: 0.8em, below: 1.2em)[")}
    local content = div.content
    local first = 1
    if content[1].t == "Para" then      -- the reading
      out:insert(content[1])
      first = 2
    end
    out:insert(pandoc.RawBlock("typst", "#chart-with-data(["))
    out:insert(content[first])          -- the chart (already a typst block)
    out:insert(pandoc.RawBlock("typst", "], ["))
    for i = first + 1, #content do out:insert(content[i]) end
    out:insert(pandoc.RawBlock("typst", "])"))
    out:insert(pandoc.RawBlock("typst", "]"))
    return out
  end
  return nil
end

-- HTML (and any other format): one pass. A chart's compact table is dropped where it stands;
-- tables and declared widths as above.
local function Div_other(div)
  if div.classes:includes(COMPACT) then return {} end
  return Div(div)
end

if FORMAT ~= "typst" then
  return {
    { Table = Table, Div = Div_other },
  }
end

-- Typst: charts' figures routed first (a lone chart is still a Para of an Image), then paragraph-level
-- (so a lone chart is still an Image when Para sees it), then inline images.
return {
  { Blocks = ChartData },
  { Para = Para, Table = Table, Div = Div },
  { Image = Image },
}
