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

-- Paragraph-level first (so a lone chart is still an Image when Para sees it), then inline images.
return {
  { Para = Para },
  { Image = Image },
}
