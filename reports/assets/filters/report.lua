--[[
report.lua — pandoc Lua filter for the pandoc + typst path of the report.

Why: pandoc's Typst writer drops an image's description, so a chart would reach the PDF without
alt text (WCAG 1.1.1; PDF/UA needs it). Here every image becomes Typst `image(...)` with `alt:`
set from the markdown description `![ALT](path)`. Images without a description are an error
upstream (torbayreport.render refuses them), so none should arrive here.
]]

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

-- Pipe tables wider than pandoc's line length get relative column widths taken from the length of
-- their dashes, which squeezes short columns ("Workforce" ran into the next cell). Instead every
-- column is sized to its content (Typst `auto`), except the one with the longest text (usually the
-- measure's name), which gets a fixed share of the width so that it wraps rather than the figures.
local function longest_cell(rows, lengths)
  for _, row in ipairs(rows) do
    for j, cell in ipairs(row.cells) do
      local n = utf8.len(pandoc.utils.stringify(cell.contents)) or 0
      if n > (lengths[j] or 0) then lengths[j] = n end
    end
  end
end

local function Table(tbl)
  local lengths = {}
  longest_cell(tbl.head.rows, lengths)
  for _, body in ipairs(tbl.bodies) do
    longest_cell(body.body, lengths)
  end
  local wide, wide_len = nil, 0
  for j, n in pairs(lengths) do
    if n > wide_len then wide, wide_len = j, n end
  end
  for i, spec in ipairs(tbl.colspecs) do
    local width = pandoc.ColWidthDefault
    if i == wide and wide_len >= 28 and #tbl.colspecs > 2 then
      width = #tbl.colspecs >= 6 and 0.27 or 0.4
    end
    tbl.colspecs[i] = { spec[1], width }
  end
  return tbl
end

-- Paragraph-level first (so a lone chart is still an Image when Para sees it), then inline images.
return {
  { Para = Para, Table = Table },
  { Image = Image },
}
