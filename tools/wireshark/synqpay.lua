-- A Wireshark dissector for the Synqpay link layer (spec/protocol.md §1): STX, type, body, ETX,
-- CRC-16/MODBUS over the length and the payload, high byte first. TCP port 9000, TLS port 9443
-- once decrypted (a key log: SSLKEYLOGFILE), and a heuristic for any other TCP port.
--
-- Frames split over segments are reassembled and several frames in one segment are split, by the
-- Length field, never by scanning for ETX (a key or a length may hold 0x03). A bad frame (an
-- unknown type, a length over the limit, a missing ETX, a CRC that does not match) is shown and
-- flagged, and decoding goes on one byte after its STX, the resynchronisation rule of the Rust
-- codec (synqpay-link), so the frames after it still decode. The JSON-RPC payload is handed to
-- Wireshark's JSON dissector; its method, id, result and event type are fields of their own.
--
--   tshark -X lua_script:tools/wireshark/synqpay.lua -r capture.pcap
--   wireshark -X lua_script:tools/wireshark/synqpay.lua capture.pcap
-- or copy this file to ~/.local/lib/wireshark/plugins/.

local synqpay = Proto("synqpay", "Synqpay link layer")

local TYPES = { [1] = "request", [2] = "response", [3] = "event", [4] = "keepalive", [5] = "ack", [6] = "error" }
local ERRORS = {
  [1] = "INVALID_MESSAGE", [2] = "INVALID_MSG_TYPE", [3] = "CRC_ERROR", [4] = "LEN_ERROR",
  [5] = "NOT_AUTHENTICATED",
}

local f = synqpay.fields
f.type = ProtoField.string("synqpay.type", "Type")
f.api_key = ProtoField.string("synqpay.api_key", "API key")
f.length = ProtoField.uint32("synqpay.length", "Length", base.DEC)
f.crc = ProtoField.uint16("synqpay.crc", "CRC", base.HEX)
f.crc_status = ProtoField.string("synqpay.crc.status", "CRC status")
f.error_code = ProtoField.uint8("synqpay.error_code", "Error code", base.DEC, ERRORS)
f.bad = ProtoField.string("synqpay.bad", "Bad frame")
f.skipped = ProtoField.uint32("synqpay.skipped", "Bytes skipped before an STX")
f.method = ProtoField.string("synqpay.method", "Method")
f.id = ProtoField.string("synqpay.id", "Id")
f.result = ProtoField.string("synqpay.result", "Result")
f.event_type = ProtoField.string("synqpay.event_type", "Event type")

local e_bad_crc = ProtoExpert.new("synqpay.crc.bad", "Bad CRC", expert.group.CHECKSUM, expert.severity.WARN)
local e_bad = ProtoExpert.new("synqpay.bad_frame", "Bad frame", expert.group.MALFORMED, expert.severity.WARN)
local e_error = ProtoExpert.new("synqpay.error_frame", "Link Error frame", expert.group.RESPONSE_CODE, expert.severity.NOTE)
synqpay.experts = { e_bad_crc, e_bad, e_error }

synqpay.prefs.show_api_key = Pref.bool("Show API keys", false, "Show the API key of requests instead of masking it (it is a secret)")
synqpay.prefs.max_length = Pref.uint("Largest payload", 1048563, "A longer Length field is a bad frame (LEN_ERROR), as in the Rust codec")

local json = Dissector.get("json")

-- CRC-16/MODBUS: reflected 0xA001, initial 0xFFFF, no final xor.
local function crc16(tvb, offset, len)
  local crc = 0xFFFF
  for i = offset, offset + len - 1 do
    crc = bit32.bxor(crc, tvb(i, 1):uint())
    for _ = 1, 8 do
      if bit32.band(crc, 1) ~= 0 then
        crc = bit32.bxor(bit32.rshift(crc, 1), 0xA001)
      else
        crc = bit32.rshift(crc, 1)
      end
    end
  end
  return crc
end

-- The size of the frame starting at `offset` once its header is in: nil while too few bytes
-- are there to tell, false for a type or length that cannot be a frame.
local function frame_size(tvb, offset, available)
  if available < 2 then return nil end
  local t = tvb(offset + 1, 1):uint()
  if t == 4 or t == 5 then return 3 end
  if t == 6 then return 4 end
  if t ~= 1 and t ~= 2 and t ~= 3 then return false, "invalid_msg_type" end
  local key = (t == 1) and 4 or 0
  if available < 2 + key + 4 then return nil end
  local len = tvb(offset + 2 + key, 4):uint()
  if len > synqpay.prefs.max_length then return false, "len_error" end
  return 1 + 1 + key + 4 + len + 2 + 1
end

local function text_member(payload, name)
  return payload:match('"' .. name .. '"%s*:%s*"([^"]*)"')
end

-- One frame of `size` bytes at `offset`: its tree, its fields, and a line for the Info column.
local function dissect_frame(tvb, pinfo, tree, offset, size)
  local t = tvb(offset + 1, 1):uint()
  local name = TYPES[t]
  local sub = tree:add(synqpay, tvb(offset, size), "Synqpay " .. name)
  sub:add(f.type, tvb(offset + 1, 1), name)
  if t == 4 or t == 5 then
    return name
  end
  if t == 6 then
    local code = tvb(offset + 2, 1):uint()
    sub:add(f.error_code, tvb(offset + 2, 1))
    sub:add_proto_expert_info(e_error, "Error " .. (ERRORS[code] or code))
    return "error " .. (ERRORS[code] or string.format("0x%02x", code))
  end
  local key = (t == 1) and 4 or 0
  if t == 1 then
    local shown = "••••••••"
    if synqpay.prefs.show_api_key then shown = tvb(offset + 2, 4):bytes():tohex():lower() end
    if tvb(offset + 2, 4):uint() == 0 then shown = "00000000 (zero: pairing)" end
    sub:add(f.api_key, tvb(offset + 2, 4), shown)
  end
  local len_at = offset + 2 + key
  local len = tvb(len_at, 4):uint()
  sub:add(f.length, tvb(len_at, 4))
  local crc_at = len_at + 4 + len
  local crc = tvb(crc_at, 2):uint()
  local crc_item = sub:add(f.crc, tvb(crc_at, 2))
  local computed = crc16(tvb, len_at, 4 + len)
  local line = name
  if computed == crc then
    sub:add(f.crc_status, tvb(crc_at, 2), "good")
  else
    sub:add(f.crc_status, tvb(crc_at, 2), "bad")
    sub:add(f.bad, tvb(offset, size), "crc_error")
    crc_item:add_proto_expert_info(e_bad_crc, string.format("Bad CRC: computed 0x%04x", computed))
    line = name .. " [bad CRC]"
  end
  if len > 0 then
    local payload_tvb = tvb(len_at + 4, len):tvb()
    local payload = tvb(len_at + 4, len):string(ENC_UTF_8)
    local method = text_member(payload, "method")
    local id = text_member(payload, "id") or payload:match('"id"%s*:%s*(-?%d+)')
    local result = text_member(payload, "result")
    local rpc_error = payload:match('"error"%s*:%s*{%s*"code"%s*:%s*(-?%d+)')
    local event_type = (t == 3) and text_member(payload, "type") or nil
    if method then sub:add(f.method, method) end
    if id then sub:add(f.id, id) end
    if result then sub:add(f.result, result) end
    if event_type then sub:add(f.event_type, event_type) end
    line = line .. (method and (" " .. method) or "") .. (event_type and (" " .. event_type) or "")
      .. (result and (" " .. result) or "") .. (rpc_error and (" error " .. rpc_error) or "")
      .. (id and (" id=" .. id) or "")
    if json then json:call(payload_tvb, pinfo, sub) end
  end
  return line
end

local function dissect(tvb, pinfo, tree)
  local total = tvb:len()
  local offset = 0
  local lines = {}
  while offset < total do
    if tvb(offset, 1):uint() ~= 0x02 then
      local start = offset
      while offset < total and tvb(offset, 1):uint() ~= 0x02 do offset = offset + 1 end
      tree:add(f.skipped, tvb(start, offset - start), offset - start)
    else
      local size, why = frame_size(tvb, offset, total - offset)
      if size == nil then
        -- Its header is not all here yet: the next segment brings it.
        pinfo.desegment_offset = offset
        pinfo.desegment_len = DESEGMENT_ONE_MORE_SEGMENT
        break
      elseif size == false then
        local item = tree:add(synqpay, tvb(offset, 1), "Synqpay bad frame: " .. why)
        item:add(f.bad, tvb(offset, 1), why)
        item:add_proto_expert_info(e_bad, why)
        lines[#lines + 1] = "bad " .. why
        offset = offset + 1
      elseif offset + size > total then
        pinfo.desegment_offset = offset
        pinfo.desegment_len = offset + size - total
        break
      elseif tvb(offset + size - 1, 1):uint() ~= 0x03 then
        local item = tree:add(synqpay, tvb(offset, 1), "Synqpay bad frame: no ETX where its length ends")
        item:add(f.bad, tvb(offset, 1), "invalid_message")
        item:add_proto_expert_info(e_bad, "invalid_message")
        lines[#lines + 1] = "bad invalid_message"
        offset = offset + 1
      else
        local line = dissect_frame(tvb, pinfo, tree, offset, size)
        lines[#lines + 1] = line
        if line:find("bad CRC", 1, true) then
          -- Resynchronise as the codec does: one byte after the bad frame's STX.
          offset = offset + 1
        else
          offset = offset + size
        end
      end
    end
  end
  if #lines > 0 then
    pinfo.cols.protocol = "Synqpay"
    pinfo.cols.info = table.concat(lines, "; ")
  end
  return offset
end

function synqpay.dissector(tvb, pinfo, tree)
  return dissect(tvb, pinfo, tree)
end

-- Another port: a segment that starts as a frame of a known type does.
local function heuristic(tvb, pinfo, tree)
  if tvb:len() < 3 or tvb(0, 1):uint() ~= 0x02 then return false end
  local t = tvb(1, 1):uint()
  if t < 1 or t > 6 then return false end
  local size = frame_size(tvb, 0, tvb:len())
  if size == false then return false end
  if size and size <= tvb:len() and tvb(size - 1, 1):uint() ~= 0x03 then return false end
  pinfo.conversation = synqpay
  dissect(tvb, pinfo, tree)
  return true
end

DissectorTable.get("tcp.port"):add(9000, synqpay)
local tls_port = DissectorTable.get("tls.port")
if tls_port then tls_port:add(9443, synqpay) end
synqpay:register_heuristic("tcp", heuristic)
